"""Forgetting old inbound events: ``channels.purge_inbound`` (beat, daily).

``InboundMessage`` rows exist to recognise a provider's retry, which comes within a day;
after ``KEEP_DAYS`` they are deleted, in batches (short statements, no long lock), up to
``MAX_BATCHES`` per run — what is left waits for the next run. Idempotent.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from channels.models import InboundMessage

KEEP_DAYS = 7
BATCH = 5000
MAX_BATCHES = 100


def purge_inbound_messages(*, now: dt.datetime | None = None) -> int:
    """Delete the rows received more than ``KEEP_DAYS`` ago; how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    deleted = 0
    for _batch in range(MAX_BATCHES):
        ids = list(
            InboundMessage.objects.filter(received_at__lt=cutoff)
            .order_by("received_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        count, _by_model = InboundMessage.objects.filter(pk__in=ids).delete()
        deleted += count
    return deleted


@shared_task(name="channels.purge_inbound", soft_time_limit=300)
def purge_inbound() -> int:
    return purge_inbound_messages()
