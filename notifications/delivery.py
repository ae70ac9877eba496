"""Sending pending notification rows after commit, each exactly once while workers live.

Sending claims a row with a compare-and-set ``UPDATE … WHERE sent_at IS NULL
AND (claimed_at IS NULL OR claimed_at < stale)``: two workers never send the
same row. A worker killed between the transport call and marking the row sent
leaves it claimed; after ``CLAIM_TIMEOUT`` it is sent again (at least once,
never twice while workers are alive). The message is rendered at send time in
the recipient's language by the channel's transport (``transports/``).

A transport that is told to slow down (``transports.RetryLater``: HTTP 429, a provider's
rate-limit code) leaves its row claimed until the wait it names is over (the claim is
back-dated so that it goes stale then; the transport grows the wait while the provider
keeps refusing): the worker goes on with other rows, ``dispatch_pending`` takes the row
again later. A row no retry can help (``transports.Undeliverable``) is given up at once,
with its reason.

After each attempt the hooks registered with ``on_sent`` are told its channel and outcome
(``sent``, ``failed`` — kept for a retry or given up — or ``deferred``): the operations
wiring counts them for ``/metrics`` without wrapping the transports.

A task with many ids (a burst) claims and loads them ``CLAIM_CHUNK`` at a time, in one
``UPDATE … RETURNING`` and one ``SELECT``, and marks a chunk's sent rows in one
``UPDATE`` once the chunk is done (``send_notifications``): a worker killed in the
middle of a chunk may send up to a chunk again after ``CLAIM_TIMEOUT``, as a killed
worker always could for its one row; while workers live, nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from notifications.models import Notification
from notifications.transports import RetryLater, Undeliverable, transport_for

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# A row that failed this many times (a bad address, a mail server that refuses it) is left
# with its last error for an admin to look at; it no longer blocks the rows behind it.
MAX_ATTEMPTS = 5
# The longest wait a rate limit may impose on a row.
RETRY_MAX_SECONDS = 3600.0
# Rows claimed at once by ``send_notifications``: few enough to be sent well within
# CLAIM_TIMEOUT however slow a provider answers (50 × 13 s at worst).
CLAIM_CHUNK = 50

Outcome = Literal["sent", "failed", "deferred"]
SentHook = Callable[[str, Outcome], None]
_sent_hooks: list[SentHook] = []


def on_sent(hook: SentHook) -> None:
    """Call ``hook(channel, outcome)`` after each delivery attempt (a higher app's
    ``AppConfig.ready`` registers it). Idempotent. A hook that raises is logged and does
    not change what happens to the row."""
    if hook not in _sent_hooks:
        _sent_hooks.append(hook)


def _tell(channel: str, outcome: Outcome) -> None:
    for hook in _sent_hooks:
        try:
            hook(channel, outcome)
        except Exception:  # counting must never undo or repeat a delivery
            log.exception("on_sent hook %r for %s %s", hook, channel, outcome)


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
    done = _attempt(notification, now)
    if done is None:
        return False
    _mark_sent([done])
    return True


def _claim_many(ids: list[int], now: dt.datetime) -> list[int]:
    """Claim whichever of ``ids`` are free, in one statement; the ids claimed."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
            "WHERE id = ANY(%s) AND sent_at IS NULL "
            "AND (claimed_at IS NULL OR claimed_at < %s) RETURNING id",
            [now, ids, now - CLAIM_TIMEOUT],
        )
        return [row[0] for row in cursor.fetchall()]


def send_notifications(ids: Sequence[int]) -> int:
    """Send these pending rows, ``CLAIM_CHUNK`` claimed and loaded at a time; how many were
    sent (rows sent or claimed by someone else are skipped). A chunk's rows are marked sent
    together once its last transport returned (also when one raised past its handler)."""
    sent = 0
    for start in range(0, len(ids), CLAIM_CHUNK):
        now = timezone.now()
        claimed = _claim_many(list(ids[start : start + CLAIM_CHUNK]), now)
        if not claimed:
            continue
        rows = Notification.objects.select_related("recipient").filter(pk__in=claimed)
        done: list[tuple[Notification, Any]] = []
        try:
            for notification in rows.order_by("pk"):
                outcome = _attempt(notification, now)
                if outcome is not None:
                    done.append(outcome)
        finally:
            _mark_sent(done)
        sent += len(done)
    return sent


def _attempt(notification: Notification, now: dt.datetime) -> tuple[Notification, Any] | None:
    """Hand a claimed row to its transport: (row, what the transport returned) when it went,
    else ``None`` with the row released, put to wait or given up, and the reason kept."""
    notification_id = notification.pk
    channel = notification.channel
    try:
        result = transport_for(channel).send(notification)
    except RetryLater as exc:
        _tell(channel, "deferred")
        _retry_later(notification, exc, now)
        return None
    except Undeliverable as exc:
        _tell(channel, "failed")
        Notification.objects.filter(pk=notification_id).update(
            claimed_at=None, attempts=MAX_ATTEMPTS, last_error=str(exc)[:2000]
        )
        log.warning("notification %s given up: %s", notification_id, exc)
        return None
    except Exception as exc:  # keep the row for a retry, record why
        _tell(channel, "failed")
        Notification.objects.filter(pk=notification_id).update(
            claimed_at=None, last_error=str(exc)[:2000]
        )
        log.warning("notification %s failed: %s", notification_id, exc)
        return None
    _tell(channel, "sent")
    return notification, result


def _mark_sent(done: list[tuple[Notification, Any]]) -> None:
    """Mark rows sent (one UPDATE), then tell each channel's transport what went, if it
    wants to know (``after_sent(pairs)``: the IMs remember the threads of tickets)."""
    if not done:
        return
    Notification.objects.filter(pk__in=[n.pk for n, _result in done]).update(
        sent_at=timezone.now(), last_error=""
    )
    by_channel: dict[str, list[tuple[Notification, Any]]] = defaultdict(list)
    for notification, result in done:
        by_channel[notification.channel].append((notification, result))
    for channel, pairs in by_channel.items():
        after_sent = getattr(transport_for(channel), "after_sent", None)
        if after_sent is None:
            continue
        try:
            after_sent(pairs)
        except Exception:  # the messages went; what follows them must not undo that
            log.exception("after sending %d %s notifications", len(pairs), channel)


def _retry_later(notification: Notification, exc: RetryLater, now: dt.datetime) -> None:
    """Keep the row claimed until the wait is over (the claim goes stale then), and do not
    count the attempt: the provider did not refuse the message, it asked us to wait."""
    delay = dt.timedelta(seconds=min(max(exc.after, 1.0), RETRY_MAX_SECONDS))
    Notification.objects.filter(pk=notification.pk).update(
        claimed_at=now + delay - CLAIM_TIMEOUT,
        attempts=F("attempts") - 1,
        last_error=str(exc)[:2000],
    )
    log.info("notification %s waits %s: %s", notification.pk, delay, exc)


def pending_ids(limit: int = 1000) -> list[int]:
    """Rows still to send, fewest attempts first; rows that failed too often are left out."""
    stale = timezone.now() - CLAIM_TIMEOUT
    return list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("attempts", "created_at")
        .values_list("pk", flat=True)[:limit]
    )
