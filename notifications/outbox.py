"""Writing notification rows inside the transaction that causes them.

``save_and_dispatch`` only inserts rows: in-app rows are delivered by being there
(``sent_at`` is set at once); rows for other channels wait for
``notifications.delivery``, which a Celery task runs after commit
(``tasks.enqueue`` hands the ids over) and ``dispatch_pending`` runs for
anything a lost task or a broker outage left behind. Who hears about what is
decided by the feature (``tickets/notify.py``), never here.

How they hear it is the person's: ``build`` writes an in-app row, an e-mail row
(with an address) and one ``IM`` row, a placeholder saying "and on their IMs";
``insert`` turns the placeholder into one row per IM channel the desk has set up
and the person has an ID on, and drops every row whose channel the person turned
off for that kind (``Preference``; unset cells follow their role's default,
``notifications.preferences``), in the same statement that inserts them. A feature
that keeps only some channels (in the app only, say) drops the others, the
placeholder included, before saving.

After the rows are inserted, the hooks registered with ``on_save`` see them (the
group robots of ``channels`` post about the same causes).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db import models, transaction
from psycopg.types.json import Jsonb

from accounts.models import User
from notifications import kinds, preferences, tasks, transports
from notifications.choices import IM_CHANNELS, NotificationChannel
from notifications.models import Notification, Preference
from servicedesk.lib import sql

# The channel of ``build``'s placeholder row for the person's IMs; never stored.
IM = "im"

SaveHook = Callable[[Sequence["Outgoing | Notification"]], None]
_save_hooks: list[SaveHook] = []


def on_save(hook: SaveHook) -> None:
    """Call ``hook(rows)`` after each ``save_and_dispatch`` inserted its rows, in the same
    transaction (a higher app's ``AppConfig.ready`` registers it). Idempotent."""
    if hook not in _save_hooks:
        _save_hooks.append(hook)


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
    """Rows to insert: one in-app and one e-mail message per distinct, active recipient,
    and the placeholder for their IMs (``insert`` expands it and applies preferences).

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
        channels.append((IM, None))
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
    for hook in _save_hooks:
        hook(rows)


def insert(rows: Sequence[Outgoing | Notification]) -> list[int]:
    """Insert unsaved rows, skipping any whose ``dedupe_key`` exists; the new pending rows' ids.

    One ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING``
    with the values bound server-side as arrays. The SLA sweep writes tens of
    thousands of rows at once: Django's ``bulk_create`` prepares every value
    through its field (several times slower) and cannot say which rows were
    new, which cost a second query by ``dedupe_key``.

    The same statement applies the recipients' preferences: an ``IM`` placeholder
    becomes one row per set-up IM channel the recipient has an ID on (its key ends in
    that channel instead of ``im``), and a row is inserted only if its cell is on (the
    recipient's ``Preference``, else the role's default). No query more than before,
    however many rows and people. With no IM set up, the placeholders are dropped here.
    """
    im_channels = [c for c in transports.available() if c in IM_CHANNELS]
    if not im_channels:
        rows = [row for row in rows if row.channel != IM]
    if not rows:
        return []
    meta = Notification._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    names = [sql.column(f) for f in fields]
    columns = ", ".join(names)
    arrays = ", ".join(f"%b::{sql.array_type(f)}" for f in fields)
    params: list[list[Any]] = []
    for field in fields:
        default = field.get_default()  # for columns an Outgoing row does not carry
        values = [getattr(row, field.attname, default) for row in rows]
        if isinstance(field, models.JSONField):  # dumped as the field would, with its encoder
            dumps = functools.partial(json.dumps, cls=field.encoder)
            values = [Jsonb(value, dumps=dumps) for value in values]
        params.append(values)
    # Only table and column names and types are interpolated; values travel as parameters.
    col = {f.attname: sql.column(f) for f in fields}
    kept = ", ".join(f"i.{name}" for name in names)
    im_columns = ", ".join(
        {
            "channel": "c.channel",
            "dedupe_key": f"left(i.{col['dedupe_key']}, -{len(IM)}) || c.channel",
            "sent_at": "NULL::timestamptz",
        }.get(f.attname, f"i.{sql.column(f)}")
        for f in fields
    )
    addresses = ", ".join(  # the channels are our own constants ("wecom" …), not input
        f"({n}, '{channel}', u.{sql.column(User._meta.get_field(f'{channel}_id'))})"
        for n, channel in enumerate(IM_CHANNELS, start=1)
    )
    user_groups, group = sql.table(User.groups.through), sql.table(Group)
    staff = (
        "u.is_staff OR u.is_superuser OR EXISTS (SELECT 1 FROM "  # noqa: S608 (tables only)
        f"{user_groups} ug JOIN {group} g ON g.id = ug.group_id "
        "WHERE ug.user_id = u.id AND g.name = ANY(%b::text[]))"
    )
    # i: the rows as given, numbered; wanted: those for the app and e-mail, and one per IM
    # the placeholder's recipient can get, each with its role's default; inserted in the
    # order given (an IM's rows where its placeholder was), when the cell is on.
    wanted = (
        f"SELECT {kept}, i.n, 0 AS sub, TRUE AS default_on "  # noqa: S608 (names only)
        f"FROM i WHERE i.{col['channel']} <> '{IM}'"
    )
    if im_channels:
        params += [list(preferences.STAFF_ROLES), preferences.staff_im_kinds(), im_channels]
        wanted += (
            f" UNION ALL SELECT {im_columns}, i.n, c.sub, "  # noqa: S608 (names only)
            f"(NOT ({staff}) OR i.{col['kind']} = ANY(%b::text[])) AS default_on "
            f"FROM i JOIN {sql.table(User)} u ON u.id = i.{col['recipient_id']} "
            f"CROSS JOIN LATERAL (VALUES {addresses}) AS c (sub, channel, address) "
            f"WHERE i.{col['channel']} = '{IM}' AND c.address <> '' "
            f"AND c.channel = ANY(%b::text[])"
        )
    inserted = sql.execute_arrays(
        f"WITH i ({columns}, n) AS (SELECT * FROM unnest({arrays}) WITH ORDINALITY), "  # noqa: S608
        f"wanted AS ({wanted}) "
        f"INSERT INTO {sql.table(Notification)} ({columns}) "
        f"SELECT {', '.join(f'w.{name}' for name in names)} FROM wanted w "
        f"LEFT JOIN {sql.table(Preference)} p ON p.user_id = w.{col['recipient_id']} "
        f"AND p.kind = w.{col['kind']} AND p.channel = w.{col['channel']} "
        f"WHERE COALESCE(p.enabled, w.default_on) ORDER BY w.n, w.sub "
        f"ON CONFLICT DO NOTHING RETURNING {sql.column(meta.pk)}, sent_at",
        params,
    )
    return [pk for pk, sent_at in inserted if sent_at is None]
