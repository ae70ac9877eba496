"""Writing notification rows (inside the causing transaction) and sending them (after).

``notify`` only inserts rows: in-app rows are delivered by being there
(``sent_at`` is set at once); e-mail rows wait for ``send_notification``,
which a Celery task runs after commit and ``dispatch_pending`` runs for
anything a lost task or a broker outage left behind.

Sending claims a row with a compare-and-set ``UPDATE … WHERE sent_at IS NULL
AND (claimed_at IS NULL OR claimed_at < stale)``: two workers never send the
same row. A worker killed between the SMTP call and marking the row sent
leaves it claimed; after ``CLAIM_TIMEOUT`` it is sent again (at least once,
never twice while workers are alive).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from psycopg.types.json import Jsonb

from tickets.notification_models import Notification, NotificationChannel

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# A row that failed this many times (a bad address, a mail server that refuses it) is left
# with its last error for an admin to look at; it no longer blocks the rows behind it.
MAX_ATTEMPTS = 5

# After a failed publish, skip the broker for this long: with Redis down, every attempt
# costs seconds (redis-py retries the connect with back-off, about 6 s), and web requests
# must not wait for it. The rows stay pending; dispatch_pending sends them.
BROKER_BACKOFF_SECONDS = 15.0
_broker_failed_at: float | None = None

KIND_LABELS = {
    "ticket_submitted": _("New high-priority ticket"),
    "ticket_accepted": _("Your ticket was accepted"),
    "info_requested": _("The engineer needs more information"),
    "reply": _("New reply"),
    "info_provided": _("The requester answered"),
    "ticket_resolved": _("Please verify the fix"),
    "fix_rejected": _("The fix did not work"),
    "ticket_assigned": _("A ticket was assigned to you"),
    "response_warning": _("Response due soon"),
    "response_breach": _("Response overdue"),
    "resolution_warning": _("Resolution due soon"),
    "resolution_breach": _("Resolution overdue"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass(slots=True)
class Outgoing:
    """A notification row about to be inserted: the columns ``build`` decides, nothing else.

    Lighter than an unsaved ``Notification`` (the sweep makes a hundred thousand
    at once); ``insert`` fills the other columns with the model's defaults.
    """

    recipient_id: int
    channel: str
    kind: str
    ticket_id: int | None
    payload: dict[str, Any]
    dedupe_key: str
    created_at: dt.datetime
    sent_at: dt.datetime | None = None


def build(
    *,
    recipients: Iterable[Any],
    kind: str,
    cause: str,
    ticket: Any,
    now: dt.datetime,
    payload: dict[str, Any] | None = None,
) -> list[Outgoing]:
    """Rows to insert: one in-app and one e-mail message per distinct, active recipient."""
    rows = []
    seen = set()
    data = {"number": ticket.number, "title": ticket.title, **(payload or {})}
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        # In-app rows are delivered by existing; e-mail rows wait for the outbox.
        channels = [(NotificationChannel.IN_APP.value, now)]
        if person.email:
            channels.append((NotificationChannel.EMAIL.value, None))
        rows += [
            Outgoing(
                recipient_id=person.pk,
                channel=channel,
                kind=kind,
                ticket_id=ticket.pk,
                payload=data,
                dedupe_key=f"{cause}:{person.pk}:{channel}",
                created_at=now,
                sent_at=sent_at,
            )
            for channel, sent_at in channels
        ]
    return rows


def save_and_dispatch(rows: Sequence[Outgoing | Notification]) -> None:
    """Insert rows (a cause already notified is skipped) and send the new e-mails after commit.

    Must run inside the transaction that caused the notifications.
    """
    email_ids = insert(rows)
    if email_ids:
        transaction.on_commit(lambda: enqueue(email_ids))


def notify(**kwargs: Any) -> None:
    save_and_dispatch(build(**kwargs))


def insert(rows: Sequence[Outgoing | Notification]) -> list[int]:
    """Insert unsaved rows, skipping any whose ``dedupe_key`` exists; the new e-mail rows' ids.

    One ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING``
    with the values bound server-side as arrays. The SLA sweep writes tens of
    thousands of rows at once: Django's ``bulk_create`` prepares every value
    through its field (several times slower) and cannot say which rows were
    new, which cost a second query by ``dedupe_key``.
    """
    if not rows:
        return []
    meta = Notification._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%b::{f.db_type(connection)}[]" for f in fields)
    params: list[list[Any]] = []
    for field in fields:
        default = field.get_default()  # for columns an Outgoing row does not carry
        values = [getattr(row, field.attname, default) for row in rows]
        if isinstance(field, models.JSONField):  # dumped as the field would, with its encoder
            dumps = functools.partial(json.dumps, cls=field.encoder)
            values = [Jsonb(value, dumps=dumps) for value in values]
        params.append(values)
    # Only column names and types are interpolated; the values travel as array parameters.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}, {quote('channel')}"
    )
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchall()
    return [pk for pk, channel in inserted if channel == NotificationChannel.EMAIL]


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
    from tickets.tasks import dispatch_notifications

    try:
        dispatch_notifications.apply_async(args=[ids], retry=False)
    except Exception:  # broker unreachable: the rows stay pending
        _broker_failed_at = time.monotonic()
        log.warning("broker unavailable; %d notifications left for dispatch_pending", len(ids))
    else:
        _broker_failed_at = None


def _claim(notification_id: int, now: dt.datetime) -> bool:
    stale = now - CLAIM_TIMEOUT
    from django.db.models import F

    return bool(
        Notification.objects.filter(pk=notification_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def render_email(notification: Notification) -> tuple[str, str]:
    recipient = notification.recipient
    language = recipient.language or settings.LANGUAGE_CODE
    number = notification.payload.get("number", "")
    with translation.override(language):
        context = {
            "notification": notification,
            "recipient": recipient,
            "label": kind_label(notification.kind),
            "number": number,
            "title": notification.payload.get("title", ""),
            "payload": notification.payload,
            "url": settings.SITE_URL.rstrip("/")
            + (reverse("tickets:detail", kwargs={"number": number}) if number else "/"),
        }
        subject = render_to_string("notifications/email_subject.txt", context).strip()
        body = render_to_string("notifications/email_body.txt", context)
    return " ".join(subject.split()), body


def send_notification(notification_id: int) -> bool:
    """Send one pending e-mail row; ``False`` if someone else has it or it is already sent."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        subject, body = render_email(notification)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
    except Exception as exc:  # keep the row for a retry, record why
        Notification.objects.filter(pk=notification_id).update(
            claimed_at=None, last_error=str(exc)[:2000]
        )
        log.warning("notification %s failed: %s", notification_id, exc)
        return False
    Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), last_error="")
    return True


def pending_ids(limit: int = 1000) -> list[int]:
    stale = timezone.now() - CLAIM_TIMEOUT
    return list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("attempts", "created_at")
        .values_list("pk", flat=True)[:limit]
    )


def unread_count(user: Any) -> int:
    return Notification.objects.filter(
        recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).count()
