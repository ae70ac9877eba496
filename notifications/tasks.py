"""Celery tasks of the outbox (thin adapters over ``delivery``) and handing ids to them.

Idempotent: a row is sent by whoever wins its compare-and-set claim.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task

from notifications import delivery, retention

log = logging.getLogger(__name__)

# A publish to an unreachable broker fails after one connect attempt of at most 0.5 s
# (CELERY_BROKER_TRANSPORT_OPTIONS: no kombu reconnect loop, a short socket_connect_timeout).
# After a failed publish, skip the broker for this long, so that while Redis is away web
# requests do not pay even that. The rows stay pending; dispatch_pending sends them.
BROKER_BACKOFF_SECONDS = 15.0
_broker_failed_at: float | None = None


def enqueue(ids: list[int]) -> None:
    """Hand ids to a worker. Never raises: if the broker is down, dispatch_pending sends later."""
    global _broker_failed_at
    if not ids:
        return
    if (
        _broker_failed_at is not None
        and time.monotonic() - _broker_failed_at < BROKER_BACKOFF_SECONDS
    ):
        log.info("broker failed recently; %d notifications left for dispatch_pending", len(ids))
        return
    try:
        dispatch_notifications.apply_async(args=(ids,), retry=False)
    except Exception:  # broker unreachable: the rows stay pending
        _broker_failed_at = time.monotonic()
        log.warning("broker unavailable; %d notifications left for dispatch_pending", len(ids))
    else:
        _broker_failed_at = None


@shared_task(soft_time_limit=120, time_limit=150)
def dispatch_notifications(ids: list[int]) -> int:
    """Send these pending notifications; rows already sent or claimed are skipped."""
    return delivery.send_notifications(ids)


@shared_task(soft_time_limit=120, time_limit=150)
def dispatch_pending() -> int:
    """Send whatever a lost task or a broker outage left behind (beat: every minute)."""
    return delivery.send_notifications(delivery.pending_ids())


@shared_task(name="notifications.tasks.purge_old_notifications", soft_time_limit=300)
def purge_old_notifications() -> dict[str, int]:
    """Delete the notifications and digests older than ``NOTIFY_RETENTION_DAYS`` (beat:
    daily; ``retention``)."""
    purged = retention.purge_old()
    return {"notifications": purged.notifications, "digests": purged.digests, "items": purged.items}
