"""``manage.py run_sweeps``: run every registered timed-obligation sweep once, now.

For operators without beat, and for checks under a controlled clock. Prints
what each sweep recorded.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sla import obligations


class Command(BaseCommand):
    help = "Run every registered sweep of a timed obligation once, now, and print what it recorded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="only these obligations (default: all)")

    def handle(self, *args: Any, names: list[str], **options: Any) -> None:
        declared = obligations.registered()
        unknown = sorted(set(names) - declared.keys())
        if unknown:
            known = ", ".join(sorted(declared))
            raise CommandError(f"unknown: {', '.join(unknown)}; known: {known}")
        for name in names or sorted(declared):
            result = obligations.sweep(declared[name])
            detail = ", ".join(f"{kind} {n}" for kind, n in sorted(result.recorded.items()))
            self.stdout.write(
                f"{name}: {result.claimed} due, {result.total} recorded"
                + (f" ({detail})" if detail else "")
            )
