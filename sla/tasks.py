"""Celery tasks of the timed-obligation mechanism. Idempotent: a second run records nothing
the first one did (the event tables are unique on object, kind and due time)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from sla import obligations


@shared_task(soft_time_limit=20, time_limit=30)
def run_sweeps() -> list[str]:
    """Beat, every ``SLA_SWEEP_SECONDS``: start one sweep task per registered obligation."""
    names = sorted(obligations.registered())
    for name in names:
        sweep_obligation.delay(name)
    return names


@shared_task(soft_time_limit=120, time_limit=150)
def sweep_obligation(name: str, batch: int = 1) -> int:
    """One batch of one obligation; a full batch re-enqueues the task for the next, up to
    ``SLA_SWEEP_MAX_BATCHES`` per tick, instead of looping inside one long task."""
    decl = obligations.get(name)
    result = obligations.sweep_batch(decl, now=timezone.now())
    if result.claimed >= decl.batch_size and batch < int(settings.SLA_SWEEP_MAX_BATCHES):
        sweep_obligation.delay(name, batch + 1)
    return len(result.recorded)
