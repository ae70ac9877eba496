"""Beat tasks of the weekly and monthly summaries (``CELERY_BEAT_SCHEDULE``).

Idempotent: the outbox sends a period's summary once per person however often they run.
"""

from __future__ import annotations

from celery import shared_task

from reports.summary import summaries


@shared_task(name="reports.send_weekly_summary", soft_time_limit=300)
def send_weekly_summary() -> int:
    """Monday 07:30: last week's numbers to every manager. How many were told."""
    return summaries.send_weekly()


@shared_task(name="reports.send_monthly_summary", soft_time_limit=300)
def send_monthly_summary() -> int:
    """Days 1–14 at 07:30: last month's numbers, from the first working day on, once."""
    return summaries.send_monthly()
