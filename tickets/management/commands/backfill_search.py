"""``manage.py backfill_search``: fill the search vectors of tickets that have none.

Migration ``tickets.0015`` does this by itself on a desk of up to 100,000 tickets; a larger
desk runs this command once after migrating (it can run while people work: each batch is
a short transaction). ``--all`` rebuilds every ticket, e.g. after a change of the words
stored (``tickets/search.py``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets import search


class Command(BaseCommand):
    help = "Fill the search vectors of tickets that have none (--all: of every ticket)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="rebuild every ticket, not only missing ones"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        every = max(1, 20_000 // options["batch_size"])
        batches = 0

        def progress(done: int, last_id: int) -> None:
            nonlocal batches
            batches += 1
            if batches % every == 0:
                rate = done / max(time.monotonic() - started, 0.001)
                self.stdout.write(f"{done} tickets (up to id {last_id}), {rate:.0f}/s")

        done = search.backfill(
            batch_size=options["batch_size"], everything=options["all"], progress=progress
        )
        took = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Search vectors written for {done} tickets in {took:.1f} s.")
        )
