"""``manage.py import_calendar FILE [--calendar NAME]``: load holidays and worked weekends.

FILE is a CSV (``date,kind,name`` lines, kind ``holiday`` or ``workday``, a
header line allowed) or an ICS calendar of all-day events (a SUMMARY with 班,
"workday" or "working" marks a worked day; every other event is a holiday).
Days are upserted into the default calendar, or the one named, by date: a date
already there takes the file's kind and name. ``covered_through`` rises to the
last year in the file, so the admin stops flagging that year as unknown.

Everything happens in one transaction: a file with a bad line changes nothing,
and the error names the line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tickets.calendar_sources import CalendarFileError, DayRow, parse_file, years_of
from tickets.calendars import clear_calendar_cache
from tickets.models import BusinessCalendar, CalendarDay

_ICS_DATE_LINE = re.compile(r"^(DTSTART|DTEND)(?:;[^:]*)?:(.*)$")


class Command(BaseCommand):
    help = "Load holidays and adjusted working days from a CSV (date,kind,name) or ICS file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .ics file")
        parser.add_argument(
            "--calendar",
            metavar="NAME",
            help="the business calendar to load into (default: the default calendar)",
        )

    def handle(self, *args: Any, file: str, calendar: str | None = None, **options: Any) -> None:
        path = Path(file)
        text = _read(path)
        rows = _parse(path, text)
        days = _one_per_date(path, rows)
        with transaction.atomic():
            target = _calendar(calendar)
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
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {len(days)} days into “{target.name}”: "
                f"{kinds['holiday']} holidays, {kinds['workday']} adjusted working days "
                f"({len(days) - len(known)} new, {len(known)} updated); "
                f"holidays known through {target.covered_through}."
            )
        )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a UTF-8 text file") from None


def _parse(path: Path, text: str) -> list[DayRow]:
    if path.suffix.lower() == ".ics" or text.lstrip().startswith("BEGIN:VCALENDAR"):
        _check_ics_dates(path, text)
    try:
        rows = parse_file(path.name, text)
    except (CalendarFileError, ValueError) as exc:
        raise CommandError(f"{path}: {exc}") from None
    if not rows:
        raise CommandError(f"{path}: no calendar days found")
    return rows


def _check_ics_dates(path: Path, text: str) -> None:
    """Name the line of a DTSTART/DTEND that is not a date (the parser cannot say where)."""
    event_line = 0
    has_start = True
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped == "BEGIN:VEVENT":
            event_line, has_start = number, False
        elif stripped == "END:VEVENT" and not has_start:
            raise CommandError(f"{path}: line {event_line}: the event has no DTSTART date")
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
            raise CommandError(
                f"{path}: line {number}: {match.group(1)} {value!r} is not a date like 20270101"
            ) from None


def _one_per_date(path: Path, rows: list[DayRow]) -> dict[dt.date, tuple[str, str]]:
    days: dict[dt.date, tuple[str, str]] = {}
    for day, kind, name in rows:
        if day in days and days[day][0] != kind:
            raise CommandError(f"{path}: {day} is listed both as a holiday and as a working day")
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
        raise CommandError(f"There is no {wanted} (calendars: {names}).")
    return found
