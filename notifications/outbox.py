"""Writing notification rows inside the transaction that causes them.

``save_and_dispatch`` only inserts rows: in-app rows are delivered by being there
(``sent_at`` is set at once); rows for other channels wait for
``notifications.delivery``, which a Celery task runs after commit
(``tasks.enqueue`` hands the ids over) and ``dispatch_pending`` runs for
anything a lost task or a broker outage left behind. Who hears about what is
decided by the feature (``tickets/notify.py``), never here.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from psycopg.types.json import Jsonb

from accounts.models import User
from notifications import kinds, tasks
from notifications.choices import NotificationChannel
from notifications.models import Notification
from servicedesk.lib import sql


@dataclass(slots=True)
class Outgoing:
    """A notification row about to be inserted: the columns ``build`` decides, nothing else.

    Lighter than an unsaved ``Notification`` (the SLA sweep makes a hundred
    thousand at once); ``insert`` fills the other columns with the model's defaults.
    """

    recipient_id: int
    channel: str
    kind: str
    link: str
    payload: dict[str, Any]
    dedupe_key: str
    created_at: dt.datetime
    sent_at: dt.datetime | None = None


def build(
    *,
    recipients: Iterable[User | None],
    kind: str,
    cause: str,
    now: dt.datetime,
    link: str = "",
    payload: dict[str, Any] | None = None,
) -> list[Outgoing]:
    """Rows to insert: one in-app and one e-mail message per distinct, active recipient.

    ``cause`` names what happened (an event, an SLA milestone); with the
    recipient and channel it is the row's ``dedupe_key``, so a cause written
    twice (a retried sweep) notifies once.
    """
    if not kinds.is_registered(kind):
        raise ValueError(f"notification kind {kind!r} was never registered")
    rows = []
    seen = set()
    data = payload or {}
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        # In-app rows are delivered by existing; e-mail rows wait for the outbox.
        channels: list[tuple[str, dt.datetime | None]] = [(NotificationChannel.IN_APP, now)]
        if person.email:
            channels.append((NotificationChannel.EMAIL, None))
        rows += [
            Outgoing(
                recipient_id=person.pk,
                channel=str(channel),
                kind=kind,
                link=link,
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

    Must run inside the transaction that caused the notifications: if it rolls
    back, no row exists and nothing is enqueued.
    """
    pending_ids = insert(rows)
    if pending_ids:
        transaction.on_commit(lambda: tasks.enqueue(pending_ids))


def insert(rows: Sequence[Outgoing | Notification]) -> list[int]:
    """Insert unsaved rows, skipping any whose ``dedupe_key`` exists; the new pending rows' ids.

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
    columns = ", ".join(sql.column(f) for f in fields)
    arrays = ", ".join(f"%b::{sql.array_type(f)}" for f in fields)
    params: list[list[Any]] = []
    for field in fields:
        default = field.get_default()  # for columns an Outgoing row does not carry
        values = [getattr(row, field.attname, default) for row in rows]
        if isinstance(field, models.JSONField):  # dumped as the field would, with its encoder
            dumps = functools.partial(json.dumps, cls=field.encoder)
            values = [Jsonb(value, dumps=dumps) for value in values]
        params.append(values)
    # Only column names and types are interpolated; the values travel as array parameters.
    inserted = sql.execute_arrays(
        f"INSERT INTO {sql.table(Notification)} ({columns}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT DO NOTHING RETURNING {sql.column(meta.pk)}, sent_at",
        params,
    )
    return [pk for pk, sent_at in inserted if sent_at is None]
