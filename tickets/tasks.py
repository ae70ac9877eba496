"""Celery tasks: thin adapters over the sweep and the notification outbox.

Each is idempotent: running it twice, or on two workers, changes nothing more
than running it once.
"""

from __future__ import annotations

from celery import shared_task

from tickets import notifications, sweep


@shared_task(soft_time_limit=120, time_limit=150)
def sweep_sla() -> int:
    """Record SLA warnings and breaches that have come due (beat: every 30 s)."""
    return sweep.sweep_sla()


@shared_task(soft_time_limit=120, time_limit=150)
def dispatch_notifications(ids: list[int]) -> int:
    """Send these pending e-mail notifications; rows already sent or claimed are skipped."""
    return sum(1 for notification_id in ids if notifications.send_notification(notification_id))


@shared_task(soft_time_limit=120, time_limit=150)
def dispatch_pending() -> int:
    """Send whatever a lost task or a broker outage left behind (beat: every minute)."""
    return dispatch_notifications(notifications.pending_ids())


@shared_task(soft_time_limit=300, time_limit=330)
def auto_verify_resolved() -> int:
    """Verify fixes left unanswered for TICKETS_AUTO_VERIFY_DAYS working days (beat: hourly)."""
    from tickets import services

    return services.auto_verify_resolved()
