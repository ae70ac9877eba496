"""The review's weeks and the audit's months, in the desk's time zone (``TIME_ZONE``).

A week runs from Monday 00:00 to the next Monday 00:00, a month from its first day 00:00
to the next month's; both are half-open ``[start, end)`` intervals of aware datetimes.
The audit's month is drawn on the month after's first working day by the desk's calendar
(the default business calendar: Chinese holidays and adjusted working days).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from sla.calendars import default_calendar


def desk_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def desk_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), desk_zone()).date()


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=desk_zone())


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[Monday 00:00, next Monday 00:00)`` in the desk's zone."""
    return local_midnight(week_start), local_midnight(week_start + dt.timedelta(days=7))


def previous_week(now: dt.datetime | None = None) -> dt.date:
    """The Monday of the week before the current one."""
    return monday_of(desk_today(now)) - dt.timedelta(days=7)


def current_week(now: dt.datetime | None = None) -> dt.date:
    return monday_of(desk_today(now))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(month_start(month)), local_midnight(next_month(month))


def first_working_day(month: dt.date) -> dt.date:
    """The first working day of ``month`` on the desk's default calendar (a month always
    has one within its first three weeks; the guard only stops a calendar with none)."""
    calendar = default_calendar()
    day = month_start(month)
    for _offset in range(31):
        if calendar.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    return month_start(month)
