"""Celery tasks of the knowledge base: re-expanding articles after a glossary edit.

Idempotent: rebuilding an article's search columns twice writes the same columns.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from knowledge.search import index

BATCH = 200  # articles per transaction


def reindex_in_batches(ids: list[int]) -> int:
    """Rebuild the search columns of ``ids``, ``BATCH`` per transaction; how many."""
    done = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            done += index.reindex(ids[start : start + BATCH])
    return done


@shared_task(name="knowledge.reindex_articles", soft_time_limit=600)
def reindex_articles(ids: list[int]) -> int:
    """The articles a glossary edit concerns, with the glossary as committed."""
    return reindex_in_batches([int(pk) for pk in ids])
