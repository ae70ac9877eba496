"""Working-time arithmetic on a business calendar. Pure: no ORM, no clock.

A calendar is a time zone, working intervals for each weekday (several per
day for a lunch break) and single dates that override the weekly pattern: a
holiday (no working time) or an adjusted working day (the Chinese "调休"
Saturday, worked like a normal day). Intervals are minutes from local
midnight, so ``(540, 1080)`` is 09:00–18:00 and ``(0, 1440)`` the whole day.

Every datetime in and out is timezone-aware; arithmetic happens in the
calendar's zone, so a server running in UTC gets the same answers as one in
Asia/Shanghai. Working time is counted to the second; ``add`` and
``between`` are exact inverses:

    working_minutes_between(t, add_working_minutes(t, m, cal), cal) == m
    add(add(t, a), b) == add(t, a + b)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Interval = tuple[int, int]
DayHours = tuple[Interval, ...]

MINUTES_PER_DAY = 24 * 60
# A calendar with no working time at all would loop forever; give up after ten years.
_MAX_DAYS = 3660


class CalendarError(ValueError):
    """The calendar data is malformed (overlapping intervals, a naive datetime …)."""


def parse_hours(spec: Sequence[str]) -> DayHours:
    """``["09:00-12:00", "13:00-18:00"]`` -> ``((540, 720), (780, 1080))``, validated."""
    intervals = []
    for item in spec:
        try:
            start_text, end_text = item.split("-")
            start = _parse_clock(start_text)
            end = _parse_clock(end_text)
        except ValueError:
            raise CalendarError(f"{item!r} is not like 09:00-18:00") from None
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError(f"{item!r}: the end must come after the start")
        intervals.append((start, end))
    intervals.sort()
    for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
        if start < end:
            raise CalendarError(f"working intervals overlap: {spec!r}")
    return tuple(intervals)


def format_hours(hours: DayHours) -> list[str]:
    return [f"{_clock(start)}-{_clock(end)}" for start, end in hours]


def _parse_clock(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= int(minutes) < 60 or not 0 <= value <= MINUTES_PER_DAY:
        raise ValueError(text)
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class CalendarData:
    """Everything the arithmetic needs, detached from the database.

    ``weekly`` has seven entries, Monday first. ``overrides`` maps a local date
    to its hours (empty for a holiday).
    """

    time_zone: str
    weekly: tuple[DayHours, ...]
    overrides: Mapping[dt.date, DayHours] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise CalendarError("weekly needs seven days, Monday first")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def hours_on(self, day: dt.date) -> DayHours:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly[day.weekday()]

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.hours_on(day))


def always_open(time_zone: str = "UTC") -> CalendarData:
    """A 24x7 clock: working time is wall-clock time."""
    return CalendarData(time_zone, tuple(((0, MINUTES_PER_DAY),) for _ in range(7)))


def standard_calendar(
    time_zone: str = "Asia/Shanghai",
    hours: DayHours = ((540, 1080),),
    overrides: Mapping[dt.date, DayHours] | None = None,
) -> CalendarData:
    """Monday to Friday with the given hours (09:00–18:00 by default)."""
    weekly = tuple(hours if weekday < 5 else () for weekday in range(7))
    return CalendarData(time_zone, weekly, dict(overrides or {}))


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name} must be timezone-aware")


def _windows(
    start: dt.datetime, calendar: CalendarData
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working windows, in order, from the local day that contains ``start`` onward.

    Windows are disjoint, non-empty and ascending in UTC. A local time that does
    not exist (the hour skipped when daylight saving starts) maps to a later
    instant than the local times just after the gap, so a window beginning in
    the gap is clipped to start where the previous one ended, and dropped if
    nothing is left: otherwise it would count as negative working time.
    """
    zone = calendar.zone
    day = start.astimezone(zone).date()
    last_end: dt.datetime | None = None
    for offset in range(_MAX_DAYS):
        current = day + dt.timedelta(days=offset)
        midnight = dt.datetime.combine(current, dt.time(0), tzinfo=zone)
        for begin, end in calendar.hours_on(current):
            begin_at = (midnight + dt.timedelta(minutes=begin)).astimezone(dt.UTC)
            end_at = (midnight + dt.timedelta(minutes=end)).astimezone(dt.UTC)
            if last_end is not None:
                begin_at = max(begin_at, last_end)
            if end_at <= begin_at:
                continue
            last_end = end_at
            yield begin_at, end_at


def is_working(moment: dt.datetime, calendar: CalendarData) -> bool:
    """Whether ``moment`` lies in a working window of its local day: windows are half-open,
    so with 09:00–18:00 an engineer is working at 17:59:59 and off at 18:00. Windows never
    cross midnight, so the local day alone answers (holidays and adjusted days included)."""
    _require_aware(moment, "moment")
    at = moment.astimezone(dt.UTC)
    zone = calendar.zone
    day = at.astimezone(zone).date()
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    for begin, end in calendar.hours_on(day):
        begin_at = (midnight + dt.timedelta(minutes=begin)).astimezone(dt.UTC)
        end_at = (midnight + dt.timedelta(minutes=end)).astimezone(dt.UTC)
        if begin_at <= at < end_at:
            return True
    return False


def add_working_seconds(start: dt.datetime, seconds: int, calendar: CalendarData) -> dt.datetime:
    """The moment when ``seconds`` of working time have passed since ``start`` (UTC).

    Zero returns ``start`` itself; a start outside working time begins counting
    at the next working window.
    """
    _require_aware(start, "start")
    if seconds < 0:
        raise CalendarError("the amount of working time must not be negative")
    cursor = start.astimezone(dt.UTC)
    remaining = dt.timedelta(seconds=seconds)
    if not remaining:
        return cursor
    for begin, end in _windows(cursor, calendar):
        if end <= cursor:
            continue
        begin = max(begin, cursor)
        available = end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
        cursor = end
    raise CalendarError("the calendar has no working time in the next ten years")


def add_working_minutes(start: dt.datetime, minutes: int, calendar: CalendarData) -> dt.datetime:
    """The moment when ``minutes`` of working time have passed since ``start`` (UTC)."""
    return add_working_seconds(start, minutes * 60, calendar)


def working_seconds_between(a: dt.datetime, b: dt.datetime, calendar: CalendarData) -> int:
    """Working seconds in ``[a, b)``; zero when ``b`` is not after ``a``."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    a, b = a.astimezone(dt.UTC), b.astimezone(dt.UTC)
    if b <= a:
        return 0
    total = dt.timedelta()
    for begin, end in _windows(a, calendar):
        if begin >= b:
            break
        if end <= a:
            continue
        total += min(end, b) - max(begin, a)
    return int(total.total_seconds())


def working_minutes_between(a: dt.datetime, b: dt.datetime, calendar: CalendarData) -> int:
    """Whole working minutes in ``[a, b)`` (rounded down)."""
    return working_seconds_between(a, b, calendar) // 60


def end_of_working_days(start: dt.datetime, days: int, calendar: CalendarData) -> dt.datetime:
    """Midnight (local) after the ``days``-th whole working day following ``start``'s day.

    "Three working days after Friday" ends at Thursday 00:00; holidays do not count and
    adjusted working Saturdays do. Zero days is the next local midnight.
    """
    _require_aware(start, "start")
    if days < 0:
        raise CalendarError("days must not be negative")
    zone = calendar.zone
    day = start.astimezone(zone).date()
    counted = 0
    for _ in range(_MAX_DAYS):
        if counted == days:
            break
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    else:
        raise CalendarError("the calendar has no working days in the next ten years")
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(
        dt.UTC
    )
