"""Beat tasks of the weekly review and the monthly audit (``CELERY_BEAT_SCHEDULE``).

Both are idempotent: run twice (two beats, a retried task), they leave one review per week
and one audit per month.
"""

from __future__ import annotations

from celery import shared_task

from reports.review import audits, services
from reports.review.periods import previous_week


@shared_task(name="reports.generate_weekly_review", soft_time_limit=600)
def generate_weekly_review() -> int:
    """Monday 07:00: the review of the week that ended on Sunday (created, or its pack
    refreshed while it is open: a tech lead may have generated it early). Its id."""
    return services.generate_review(previous_week(), actor=None).pk


@shared_task(name="reports.draw_monthly_audit", soft_time_limit=300)
def draw_monthly_audit() -> int | None:
    """Days 1–14 at 07:00: on the month's first working day (or the first run after it)
    last month's audit is drawn, once. Its id, or ``None`` when nothing was drawn."""
    drawn = audits.draw_scheduled()
    return drawn.pk if drawn is not None else None
