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

The same statement folds storms (``folding``): past ``NOTIFY_DIGEST_THRESHOLD``
notifications of one kind in a window, a person's normal and low rows become items of
the window's digest instead (``digests`` tells them when it closes), and in their quiet
hours the e-mail and IM side of those rows waits for the morning digest. High and urgent
rows (``Urgency``: the feature's choice, raised by ``kinds.at_least``) go at once.

After the rows are inserted, the hooks registered with ``on_save`` see them (the
group robots of ``channels`` post about the same causes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, models, transaction

from accounts.models import User
from notifications import folding, kinds, preferences, tasks, transports
from notifications.choices import FOLDED_URGENCIES, IM_CHANNELS, NotificationChannel, Urgency
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
    urgency: str = Urgency.NORMAL


# The columns an ``Outgoing`` carries; ``insert`` fills the others with their defaults.
_OUTGOING = frozenset(f.name for f in dataclasses.fields(Outgoing))
# The columns the rows of one cause share (``insert`` binds them once per cause).
_SHARED = ("kind", "link", "payload", "urgency", "created_at")
_IN_APP = str(NotificationChannel.IN_APP)


def cause_of(dedupe_key: str) -> str:
    """The cause of a row keyed ``<cause>:<recipient>:<channel>`` (``build``)."""
    parts = dedupe_key.rsplit(":", 2)
    return parts[0] if len(parts) == 3 else dedupe_key


def build(
    *,
    recipients: Iterable[User | None],
    kind: str,
    cause: str,
    now: dt.datetime,
    link: str = "",
    payload: dict[str, Any] | None = None,
    urgency: str = Urgency.NORMAL,
) -> list[Outgoing]:
    """Rows to insert: one in-app and one e-mail message per distinct, active recipient,
    and the placeholder for their IMs (``insert`` expands it and applies preferences).

    ``cause`` names what happened (an event, an SLA milestone); with the
    recipient and channel it is the row's ``dedupe_key``, so a cause written
    twice (a retried sweep) notifies once. ``urgency`` says whether the rows may be
    folded into a digest (``Urgency``); a kind may ask for more (``kinds.at_least``).
    """
    if not kinds.is_registered(kind):
        raise ValueError(f"notification kind {kind!r} was never registered")
    urgency = kinds.urgency_of(kind, urgency)
    rows: list[Outgoing] = []
    seen: set[int] = set()
    data = payload or {}
    kind, low = str(kind), urgency == Urgency.LOW
    in_app, email = str(NotificationChannel.IN_APP), str(NotificationChannel.EMAIL)
    for person in recipients:
        if person is None:
            continue
        pk = person.pk
        if pk in seen or not person.is_active:
            continue
        seen.add(pk)
        # In-app rows are delivered by existing; e-mail rows wait for the outbox. A low row
        # only ever becomes a digest item, whose channels are chosen when the digest is told:
        # one row stands for them all (a sweep writes one per tech lead and breach).
        # (Positional: a sweep builds a hundred thousand of these.)
        key = f"{cause}:{pk}:"
        rows.append(Outgoing(pk, in_app, kind, link, data, key + in_app, now, now, urgency))
        if low:
            continue
        if person.email:
            rows.append(Outgoing(pk, email, kind, link, data, key + email, now, None, urgency))
        rows.append(Outgoing(pk, IM, kind, link, data, key + IM, now, None, urgency))
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


def insert(rows: Sequence[Outgoing | Notification], *, fold: bool = True) -> list[int]:
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

    With ``fold`` (all but a digest's own messages), normal and low rows are folded in the
    same statement too (``folding.folding_sql``): what is past the threshold, and a quiet
    person's rows outside the app, become digest items instead of rows.
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
    col = {f.attname: sql.column(f) for f in fields}
    # The rows of one cause (``build``'s: one per person and channel) share their kind,
    # link, payload, urgency and time: those travel once per cause, the JSON dumped
    # once and cast once, and only what differs travels per row, with the number
    # of its cause. A column no row carries (an Outgoing has no ``attempts``) is its
    # default, filled in by the server (``array_fill``) rather than bound once per row.
    shared = [f for f in fields if f.attname in _SHARED]
    own = [f for f in fields if f.attname not in _SHARED]
    groups: dict[tuple[Any, ...], int] = {}
    heads: list[Outgoing | Notification] = []
    causes: list[str] = []
    group_of: list[int] = []
    # A row keyed ``<cause>:<recipient>:<channel>`` and sent at its creation exactly when it
    # is an in-app one (every ``build`` row) needs neither travel: both are made in SQL.
    derived = True
    for row in rows:
        parts = row.dedupe_key.rsplit(":", 2)
        cause = parts[0] if len(parts) == 3 else row.dedupe_key
        key = (cause, row.kind, row.link, id(row.payload), row.urgency, row.created_at)
        n = groups.get(key)
        if n is None:
            n = groups[key] = len(heads) + 1
            heads.append(row)
            causes.append(cause)
        group_of.append(n)
        if derived and (
            len(parts) != 3
            or parts[2] != row.channel
            or parts[1] != str(row.recipient_id)
            or row.sent_at != (row.created_at if row.channel == _IN_APP else None)
        ):
            derived = False
    outgoing = all(isinstance(row, Outgoing) for row in rows)
    unset = {f.attname for f in own if f.attname not in _OUTGOING} if outgoing else set()
    made = {"dedupe_key", "sent_at"} if derived else set()
    shared_sql: list[str] = []
    params: list[Any] = []
    for field in shared:
        values = [getattr(row, field.attname) for row in heads]
        if isinstance(field, models.JSONField):  # dumped as the field would, with its encoder
            shared_sql.append("%b::text[]")
            params.append([json.dumps(value, cls=field.encoder) for value in values])
        else:
            shared_sql.append(f"%b::{sql.array_type(field)}")
            params.append(values)
    shared_sql.append("%b::text[]")
    params.append(causes)
    sent = [f for f in own if f.attname not in made]
    own_sql: list[str] = []
    for field in sent:
        default = field.get_default()
        if field.attname in unset:
            own_sql.append(f"array_fill(%b::{field.db_type(connection)}, ARRAY[%b::int])")
            params += [default, len(rows)]
        else:
            own_sql.append(f"%b::{sql.array_type(field)}")
            params.append([getattr(row, field.attname, default) for row in rows])
    own_sql.append("%b::int[]")
    params.append(group_of)
    json_fields = {f.attname for f in shared if isinstance(f, models.JSONField)}
    cause_columns = ", ".join(
        f"u.{col[f.attname]}::jsonb" if f.attname in json_fields else f"u.{col[f.attname]}"
        for f in shared
    )
    value_of = {f.attname: f"i.{sql.column(f)}" for f in fields}
    given = ", ".join(value_of[f.attname] for f in fields)
    # Only table and column names and types are interpolated; values travel as parameters.
    shared_names = ", ".join(col[f.attname] for f in shared)
    made_sql = {
        "dedupe_key": f"gc.cause || ':' || gr.{col['recipient_id']} || ':' || gr.{col['channel']}",
        "sent_at": f"CASE WHEN gr.{col['channel']} = '{_IN_APP}' THEN gc.{col['created_at']} END",
    }
    picked = ", ".join(
        made_sql[f.attname]
        if f.attname in made
        else f"{'gc' if f in shared else 'gr'}.{col[f.attname]}"
        for f in fields
    )
    rows_cte = (
        f"WITH given_causes ({shared_names}, cause, g) AS ("  # noqa: S608 (names only)
        f"SELECT {cause_columns}, u.cause, u.g FROM unnest({', '.join(shared_sql)}) "
        f"WITH ORDINALITY AS u ({shared_names}, cause, g)), "
        f"given_rows ({', '.join(col[f.attname] for f in sent)}, g, n) AS (SELECT * FROM "
        f"unnest({', '.join(own_sql)}) WITH ORDINALITY), "
        f"i ({columns}, cause, n) AS (SELECT {picked}, gc.cause, gr.n "
        "FROM given_rows gr JOIN given_causes gc ON gc.g = gr.g)"
    )
    im_columns = ", ".join(
        {
            "channel": "c.channel",
            "dedupe_key": f"left(i.{col['dedupe_key']}, -{len(IM)}) || c.channel",
            "sent_at": "NULL::timestamptz",
        }.get(f.attname, value_of[f.attname])
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
    # the placeholder's recipient can get, each with its role's default; kept: those whose
    # cell is on, inserted in the order given (an IM's rows where its placeholder was).
    wanted = (
        f"SELECT {given}, i.cause, i.n, 0 AS sub, TRUE AS default_on "  # noqa: S608 (names only)
        f"FROM i WHERE i.{col['channel']} <> '{IM}'"
    )
    if im_channels:
        params += [list(preferences.STAFF_ROLES), preferences.staff_im_kinds(), im_channels]
        wanted += (
            f" UNION ALL SELECT {im_columns}, i.cause, i.n, c.sub, "  # noqa: S608 (names only)
            f"(NOT ({staff}) OR i.{col['kind']} = ANY(%b::text[])) AS default_on "
            f"FROM i JOIN {sql.table(User)} u ON u.id = i.{col['recipient_id']} "
            f"CROSS JOIN LATERAL (VALUES {addresses}) AS c (sub, channel, address) "
            f"WHERE i.{col['channel']} = '{IM}' AND c.address <> '' "
            f"AND c.channel = ANY(%b::text[])"
        )
    on = (
        f"SELECT w.* FROM wanted w LEFT JOIN {sql.table(Preference)} p "  # noqa: S608
        f"ON p.user_id = w.{col['recipient_id']} "
        f"AND p.kind = w.{col['kind']} AND p.channel = w.{col['channel']} "
        f"WHERE COALESCE(p.enabled, w.default_on) OR w.{col['urgency']} = '{Urgency.LOW}'"
    )
    statement = f"{rows_cte}, wanted AS ({wanted}), kept AS ({on})"
    where = ""
    if fold and any(getattr(row, "urgency", Urgency.NORMAL) in FOLDED_URGENCIES for row in rows):
        ctes, where, more = folding.folding_sql("kept")
        statement += ctes
        params += more
    inserted = sql.execute_arrays(
        f"{statement} INSERT INTO {sql.table(Notification)} ({columns}) "  # noqa: S608
        f"SELECT {', '.join(f'k.{name}' for name in names)} FROM kept k {where} "
        f"ORDER BY k.n, k.sub ON CONFLICT DO NOTHING RETURNING {sql.column(meta.pk)}, sent_at",
        params,
    )
    return [pk for pk, sent_at in inserted if sent_at is None]
