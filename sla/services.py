"""Writes to the SLA engine's data: loading a year of holidays into a business calendar.

``manage.py import_calendar FILE`` and the calendar admin's "Import holidays"
page both call ``import_calendar_days``: a CSV (``date,kind,name`` lines,
kind ``holiday`` or ``workday``, a header line allowed) or an ICS calendar of
all-day events (a SUMMARY with 班, "workday" or "working" marks a worked day;
every other event is a holiday). Days are upserted by date into the default
calendar, or the one named; ``covered_through`` rises to the last year in the
file. Everything happens in one transaction: a file with a bad line changes
nothing, and the error names the line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from sla.calendar_sources import CalendarFileError, DayRow, parse_file, years_of
from sla.calendars import clear_calendar_cache
from sla.choices import CalendarDayKind
from sla.models import BusinessCalendar, CalendarDay

_ICS_DATE_LINE = re.compile(r"^(DTSTART|DTEND)(?:;[^:]*)?:(.*)$")


class CalendarImportError(ValueError):
    """The file or the calendar named is not usable; the message says where and why."""


@dataclass(frozen=True)
class ImportResult:
    calendar: str
    days: int
    holidays: int
    workdays: int
    new: int
    updated: int
    covered_through: int


def import_calendar_days(
    source: str, text: str, *, calendar_name: str | None = None
) -> ImportResult:
    """Upsert the days of one file (``source`` is its name, for messages and the format)."""
    rows = _parse(source, text)
    days = _one_per_date(source, rows)
    with transaction.atomic():
        target = _calendar(calendar_name)
        known = set(
            CalendarDay.objects.filter(calendar=target, date__in=days).values_list(
                "date", flat=True
            )
        )
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(calendar=target, date=day, kind=kind, name=name[:100])
                for day, (kind, name) in sorted(days.items())
            ],
            update_conflicts=True,
            unique_fields=["calendar", "date"],
            update_fields=["kind", "name"],
        )
        last_year = max(years_of(rows))
        target.covered_through = max(target.covered_through or last_year, last_year)
        target.save(update_fields=["covered_through", "updated_at"])
    clear_calendar_cache()
    kinds = Counter(kind for kind, _name in days.values())
    return ImportResult(
        calendar=target.name,
        days=len(days),
        holidays=kinds[CalendarDayKind.HOLIDAY],
        workdays=kinds[CalendarDayKind.WORKDAY],
        new=len(days) - len(known),
        updated=len(known),
        covered_through=target.covered_through,
    )


def _parse(source: str, text: str) -> list[DayRow]:
    if source.lower().endswith(".ics") or text.lstrip().startswith("BEGIN:VCALENDAR"):
        _check_ics_dates(source, text)
    try:
        rows = parse_file(source, text)
    except (CalendarFileError, ValueError) as exc:
        raise CalendarImportError(f"{source}: {exc}") from None
    if not rows:
        raise CalendarImportError(f"{source}: no calendar days found")
    return rows


def _check_ics_dates(source: str, text: str) -> None:
    """Name the line of a DTSTART/DTEND that is not a date (the parser cannot say where)."""
    event_line = 0
    has_start = True
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == "BEGIN:VEVENT":
            event_line, has_start = number, False
        elif stripped == "END:VEVENT" and not has_start:
            raise CalendarImportError(f"{source}: line {event_line}: the event has no DTSTART date")
        match = _ICS_DATE_LINE.match(stripped)
        if not match:
            continue
        has_start = has_start or match.group(1) == "DTSTART"
        value = match.group(2).strip()
        try:
            if not re.fullmatch(r"\d{8}(T\d{6}Z?)?", value):
                raise ValueError(value)
            dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            raise CalendarImportError(
                f"{source}: line {number}: {match.group(1)} {value!r} is not a date like 20270101"
            ) from None


def _one_per_date(source: str, rows: list[DayRow]) -> dict[dt.date, tuple[str, str]]:
    days: dict[dt.date, tuple[str, str]] = {}
    for day, kind, name in rows:
        if day in days and days[day][0] != kind:
            raise CalendarImportError(
                f"{source}: {day} is listed both as a holiday and as a working day"
            )
        days.setdefault(day, (kind, name))
    return days


def _calendar(name: str | None) -> BusinessCalendar:
    calendars = BusinessCalendar.objects.select_for_update()
    found = (
        calendars.filter(name=name).first() if name else calendars.filter(is_default=True).first()
    )
    if found is None:
        names = ", ".join(BusinessCalendar.objects.values_list("name", flat=True)) or "none"
        wanted = f"calendar named {name!r}" if name else "default calendar"
        raise CalendarImportError(f"There is no {wanted} (calendars: {names}).")
    return found
