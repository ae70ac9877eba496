"""``manage.py import_calendar FILE [--calendar NAME]``: load holidays and worked weekends.

A thin adapter over ``sla.services.import_calendar_days`` (the admin's import
page calls the same function); see there for the formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sla.services import CalendarImportError, import_calendar_days


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
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a UTF-8 text file") from None
        try:
            result = import_calendar_days(str(path), text, calendar_name=calendar)
        except CalendarImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {result.days} days into “{result.calendar}”: "
                f"{result.holidays} holidays, {result.workdays} adjusted working days "
                f"({result.new} new, {result.updated} updated); "
                f"holidays known through {result.covered_through}."
            )
        )
