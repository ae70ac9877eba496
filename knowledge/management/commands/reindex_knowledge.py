"""``manage.py reindex_knowledge``: rebuild every article's search columns.

After a bulk import, or a change of how articles are cut or expanded (a new version of
``knowledge.search``). Runs in batches, each its own transaction; safe to stop and run
again. Articles saved meanwhile are rebuilt by their own save as usual.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from knowledge.models import Article
from knowledge.search import glossary, index


class Command(BaseCommand):
    help = "Rebuild the search columns (words, glossary expansion) of every knowledge article."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args: Any, batch_size: int = 200, **options: Any) -> None:
        snapshot = glossary.load()
        done = 0
        last = 0
        while True:
            ids = list(
                Article.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[: max(1, batch_size)]
            )
            if not ids:
                break
            with transaction.atomic():
                done += index.reindex(ids, snapshot=snapshot)
            last = ids[-1]
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"{done} articles…")
        self.stdout.write(self.style.SUCCESS(f"Reindexed {done} knowledge articles."))
