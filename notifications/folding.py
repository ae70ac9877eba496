"""Folding, inside the outbox writer's one statement: which rows go one by one and which
become items of a digest (``notifications.digests`` tells those when the window closes).

The window's counter is the ``Digest`` rows themselves: each writing transaction upserts
its own row (``writer``) with the normal notifications it offered, and decides from what
was committed before it (and its own earlier writes): writers never wait for one another
(a lock per person and kind would make two sweeps, or two requests, queue and could
deadlock them), at the price that two writers at the very same moment may each send up to
the threshold. A cause offered twice (a retried write, another transaction) counts twice,
which only folds a little earlier; its rows are still written once, and its item once per
window — not once per writer's row: the item carries the window (person, kind, scope,
start) and its insert skips a cause the window already lists (``ON CONFLICT DO NOTHING``
on the unique key, which also waits for a writer inserting the same cause right then).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings

from notifications import quiet_hours
from notifications.choices import FOLDED_URGENCIES
from notifications.models import Digest, DigestItem
from servicedesk.lib import sql


def threshold() -> int:
    return max(int(settings.NOTIFY_DIGEST_THRESHOLD), 0)


def window() -> dt.timedelta:
    return dt.timedelta(minutes=max(int(settings.NOTIFY_DIGEST_WINDOW_MINUTES), 1))


def window_start(at: dt.datetime) -> dt.datetime:
    """The start of the window ``at`` falls in (as the writer's SQL computes it)."""
    seconds = int(window().total_seconds())
    epoch = math.floor(at.timestamp() / seconds) * seconds
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def folding_sql(kept: str) -> tuple[str, str, list[Any]]:
    """CTEs that fold the rows of the relation ``kept`` (the rows the writer would insert,
    with ``cause`` and ``n``, their order), and the condition the writer's final ``INSERT``
    keeps a row of ``kept k`` on (joined to ``decided d``); with their parameters, in order.

    ``folded``: one line per person, kind and cause that may fold (a low cause comes as
    one in-app row, whatever the person's channels: it is only ever an item, and the
    digest's channels are chosen when it is told). ``night``: who is in their quiet hours
    then. ``placed``: each cause's window (scope ``all``, or ``app`` while quiet) and night.
    ``windows``: this transaction's counters, upserted. ``decided``: a normal cause goes one
    by one while its rank, after what the window already offered the person (as committed,
    and this transaction's own earlier writes: the counters' sum), is within the threshold;
    that sum is looked up only for the few causes ranked within the threshold at all (one
    index probe each), never joined to every cause: with the planner's guess of one row per
    CTE a join re-aggregated the counters once per cause, which grew with every batch.
    ``nights``/``items``: the rest, and the outside side of a quiet person's causes, become
    items (once per window and cause, whichever writer's row lists it first).
    """
    digest, item = sql.table(Digest), sql.table(DigestItem)
    seconds = int(window().total_seconds())
    key = "recipient_id, kind, scope, window_start, writer"
    ctes = (
        ", folded AS (SELECT k.recipient_id AS r, k.kind, k.cause, min(k.n) AS n, "  # noqa: S608
        "min(k.urgency) AS urgency, min(k.link) AS link, "
        "left(coalesce(min(k.payload ->> 'number'), ''), 64) AS number, "
        "min(k.created_at) AS at, bool_or(k.channel = 'in_app') AS app, "
        "bool_or(k.channel <> 'in_app' OR k.urgency = 'low') AS outside "
        f"FROM {kept} k WHERE k.urgency = ANY(%b::text[]) GROUP BY k.recipient_id, k.kind, k.cause)"
        f", night AS ({quiet_hours.night_sql('folded')})"
        ", placed AS (SELECT f.*, nt.starts_at, nt.ends_at, nt.r IS NOT NULL AS quiet, "
        "CASE WHEN nt.r IS NULL THEN 'all' WHEN f.app THEN 'app' END AS scope, "
        "to_timestamp((floor(extract(epoch FROM f.at) / %b::int) * %b::int)::float8) "
        "AS window_start FROM folded f LEFT JOIN night nt ON nt.r = f.r AND nt.at = f.at)"
        ", ranked AS (SELECT p.*, row_number() OVER (PARTITION BY p.r, p.kind, p.scope, "
        "p.window_start, p.urgency ORDER BY p.n) AS rank FROM placed p "
        "WHERE p.scope IS NOT NULL)"
        ", keys AS (SELECT r, kind, scope, window_start, min(at) AS at, "
        "count(*) FILTER (WHERE urgency = 'normal') AS offered FROM ranked "
        "GROUP BY r, kind, scope, window_start)"
        f", windows AS (INSERT INTO {digest} AS d (recipient_id, kind, scope, window_start, "
        "closes_at, offered, sent, created_at, writer) SELECT r, kind, scope, window_start, "
        "window_start + make_interval(secs => %b::int), offered, 0, at, txid_current() "
        f"FROM keys ON CONFLICT ({key}) DO UPDATE SET offered = d.offered + EXCLUDED.offered "
        "RETURNING d.id, d.recipient_id, d.kind, d.scope, d.window_start)"
        ", decided AS (SELECT rk.r, rk.kind, rk.cause, rk.link, rk.number, rk.at, rk.quiet, "
        "w.id AS window_id, w.scope, w.window_start, "
        "CASE WHEN rk.urgency = 'normal' AND rk.rank <= %b::int "
        "THEN rk.rank + coalesce((SELECT sum(e.offered) FROM "  # noqa: S608 (table names only)
        f"{digest} e WHERE e.recipient_id = rk.r AND e.kind = rk.kind AND e.scope = rk.scope "
        "AND e.window_start = rk.window_start), 0) <= %b::int ELSE FALSE END AS direct "
        "FROM ranked rk JOIN windows w ON w.recipient_id = rk.r AND w.kind = rk.kind "
        "AND w.scope = rk.scope AND w.window_start = rk.window_start)"
        f", nights AS (INSERT INTO {digest} AS d (recipient_id, kind, scope, window_start, "
        "closes_at, offered, sent, created_at, writer) SELECT r, kind, 'outside', starts_at, "
        "max(ends_at), 0, 0, min(at), txid_current() FROM placed WHERE quiet AND outside "
        f"GROUP BY r, kind, starts_at ON CONFLICT ({key}) DO UPDATE SET offered = d.offered "
        "RETURNING d.id, d.recipient_id, d.kind, d.window_start)"
        f", items AS (INSERT INTO {item} (digest_id, cause, number, link, created_at, "
        "person, kind, scope, window_start) SELECT window_id, cause, number, link, at, "
        "r, kind, scope, window_start FROM decided WHERE NOT direct "
        "UNION ALL SELECT n.id, p.cause, p.number, p.link, p.at, p.r, p.kind, 'outside', "
        "n.window_start FROM placed p JOIN nights n "
        "ON n.recipient_id = p.r AND n.kind = p.kind AND n.window_start = p.starts_at "
        "WHERE p.quiet AND p.outside ON CONFLICT DO NOTHING)"
    )
    join = "LEFT JOIN decided d ON d.r = k.recipient_id AND d.kind = k.kind AND d.cause = k.cause"
    keep = "(k.urgency <> ALL(%b::text[]) OR (d.direct AND (NOT d.quiet OR k.channel = 'in_app')))"
    params: list[Any] = [
        list(FOLDED_URGENCIES),
        seconds,
        seconds,
        seconds,
        threshold(),
        threshold(),
        list(FOLDED_URGENCIES),
    ]
    return ctes, f"{join} WHERE {keep}", params
