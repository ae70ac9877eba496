"""``manage.py load_demo [--if-empty]``: load the demo offices, people, devices and tickets once.

Each app contributes its part in its own ``demo.py``; ``demo/registry.py`` finds
the parts and runs them in dependency order (accounts, assets, tickets …).
Tickets are filed and moved along only through ``tickets.services``, as the named
demo users, so they look exactly like tickets made on the screens. Everything is
loaded in one transaction: either all of it is there or none. The presence of the
site ``sh-hq`` means "already loaded".
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from accounts.models import User
from demo import registry
from tickets.models import Ticket

DEFAULT_DEMO_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Load demo data (sites, users, assets, tickets in every state) once, then print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Load only into an empty database (no users, no tickets); when the demo data "
                "is already there, just print the logins. Never fails on a non-empty database."
            ),
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        parts = registry.parts()
        if registry.is_loaded(parts):
            if not if_empty:
                self.stdout.write("demo data already loaded")
            self._print_logins(parts)
            return
        if if_empty and (User.objects.exists() or Ticket.objects.exists()):
            self.stdout.write(
                self.style.WARNING(
                    "The database already has users or tickets; demo data not loaded "
                    "(run load_demo without --if-empty to add it anyway)."
                )
            )
            return
        self._check_conflicts(parts)
        try:
            context = registry.load(parts)
        except IntegrityError:
            if registry.is_loaded(parts):  # another process loaded it at the same moment
                self.stdout.write("demo data already loaded")
                self._print_logins(parts)
                return
            raise
        counts = ", ".join(registry.summary(parts, context))
        self.stdout.write(self.style.SUCCESS(f"Loaded demo data: {counts}."))
        for line in registry.report(parts, context):
            self.stdout.write(line)
        self._print_logins(parts)

    def _check_conflicts(self, parts: list[registry.DemoPart]) -> None:
        """Refuse to touch accounts or devices that someone else created under a demo name."""
        problems = registry.conflicts(parts)
        if problems:
            raise CommandError(
                "Cannot load the demo data: " + "; ".join(problems) + ". Use an empty database."
            )

    def _print_logins(self, parts: list[registry.DemoPart]) -> None:
        rows = [("username", "name", "role", "password"), *registry.logins(parts)]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins"))
        for index, row in enumerate(rows):
            line = "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
            self.stdout.write(f"  {line}")
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write("")
        url = os.environ.get("DEMO_URL", DEFAULT_DEMO_URL)
        self.stdout.write(f"Open {url} and sign in with one of the accounts above.")


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
