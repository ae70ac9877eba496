"""Celery tasks of the tickets app: thin adapters over services. Idempotent.

The SLA sweep is not here: the ticket clocks are a declaration
(``tickets.obligations``) that ``sla.tasks`` sweeps with every other one.
"""

from __future__ import annotations

from celery import shared_task

from tickets import services


@shared_task(soft_time_limit=300, time_limit=330)
def auto_verify_resolved() -> int:
    """Verify fixes left unanswered for TICKETS_AUTO_VERIFY_DAYS working days (beat: hourly)."""
    return services.auto_verify_resolved()
