"""Sending pending notification rows after commit, each exactly once while workers live.

Sending claims a row with a compare-and-set ``UPDATE … WHERE sent_at IS NULL
AND (claimed_at IS NULL OR claimed_at < stale)``: two workers never send the
same row. A worker killed between the transport call and marking the row sent
leaves it claimed; after ``CLAIM_TIMEOUT`` it is sent again (at least once,
never twice while workers are alive). The message is rendered at send time in
the recipient's language by the channel's transport (``transports/``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q
from django.utils import timezone

from notifications.models import Notification
from notifications.transports import transport_for

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# A row that failed this many times (a bad address, a mail server that refuses it) is left
# with its last error for an admin to look at; it no longer blocks the rows behind it.
MAX_ATTEMPTS = 5


def _claim(notification_id: int, now: dt.datetime) -> bool:
    stale = now - CLAIM_TIMEOUT
    return bool(
        Notification.objects.filter(pk=notification_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def send_notification(notification_id: int) -> bool:
    """Send one pending row; ``False`` if someone else has it or it is already sent."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        transport_for(notification.channel).send(notification)
    except Exception as exc:  # keep the row for a retry, record why
        Notification.objects.filter(pk=notification_id).update(
            claimed_at=None, last_error=str(exc)[:2000]
        )
        log.warning("notification %s failed: %s", notification_id, exc)
        return False
    Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), last_error="")
    return True


def pending_ids(limit: int = 1000) -> list[int]:
    """Rows still to send, fewest attempts first; rows that failed too often are left out."""
    stale = timezone.now() - CLAIM_TIMEOUT
    return list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("attempts", "created_at")
        .values_list("pk", flat=True)[:limit]
    )
