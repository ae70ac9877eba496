"""Celery tasks of the outbox: thin adapters over ``delivery``. Idempotent."""

from __future__ import annotations

from celery import shared_task

from notifications import delivery


@shared_task(soft_time_limit=120, time_limit=150)
def dispatch_notifications(ids: list[int]) -> int:
    """Send these pending notifications; rows already sent or claimed are skipped."""
    return sum(1 for notification_id in ids if delivery.send_notification(notification_id))


@shared_task(soft_time_limit=120, time_limit=150)
def dispatch_pending() -> int:
    """Send whatever a lost task or a broker outage left behind (beat: every minute)."""
    return sum(1 for pk in delivery.pending_ids() if delivery.send_notification(pk))
