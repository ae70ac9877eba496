"""Digests: one message per person, kind and window instead of a storm.

When one person would get more than ``NOTIFY_DIGEST_THRESHOLD`` notifications of one kind
within a window of ``NOTIFY_DIGEST_WINDOW_MINUTES`` (fixed windows, aligned on the epoch),
the first ``threshold`` go one by one and the rest are folded: each becomes a
``DigestItem`` of the window's ``Digest`` (its cause, number and link) instead of a row per
channel. When the window closes, ``close_due`` (beat, every minute) tells each digest as
one notification per channel the person gets that kind on (their preferences apply),
in their language, naming the count ("37 tickets breached their response time: IT-…, IT-…,
… and 30 more", or a kind's generic "37 notifications in 10 minutes: …"), linking to a page
that lists exactly those items (the feature's, ``link_with``; else the inbox's).

Only ``normal`` and ``low`` rows fold (``choices.Urgency``); ``high`` and ``urgent`` go at
once. Folding happens inside the outbox writer's one statement (``folding``): each writing
transaction keeps its own counter row of the window, so writers never wait for one another.
Everything is written in the caller's transaction: a sweep that dies half-way leaves no
item and no count behind. Closing is one transaction too (claim, messages, ``sent``): a
closer killed before its commit leaves the digests to the next run, which tells each once;
the rows of one person, kind and window are told together, and a row a late writer added
after its window closed is told in a message of its own.

Quiet hours (``quiet_hours``): for a quiet person the outside-the-app side of normal and low
rows goes to the morning digest (scope ``outside``), closing when their quiet hours end.

A digest told more than ``NOTIFY_RETENTION_DAYS`` ago is deleted with its items, and its
messages with it (``retention``, nightly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from notifications import folding, kinds, outbox, quiet_hours, tasks
from notifications.choices import DigestScope, NotificationChannel, Urgency
from notifications.models import Digest, DigestItem, QuietHours
from servicedesk.lib import sql

# Numbers named in a digest's message; the link lists them all.
NUMBERS_SHOWN = 7
# Digests closed per transaction by ``close_due``.
CLOSE_BATCH = 500


# --- links ------------------------------------------------------------------------------------

LinkMaker = Callable[[Digest, User], "str | None"]
_link_makers: list[LinkMaker] = []


def link_with(maker: LinkMaker) -> None:
    """Let a feature link its kinds' digests to a page of its own that lists exactly the
    digest's items (the ticket queue filtered by ``?digest=``); ``maker(digest, person)``
    returns the link or ``None``. Call from ``AppConfig.ready``. Idempotent."""
    if maker not in _link_makers:
        _link_makers.append(maker)


def link_for(digest: Digest, person: User) -> str:
    """The feature's page for the digest, else the inbox listing its items."""
    for maker in _link_makers:
        found = maker(digest, person)
        if found:
            return found
    return f"{reverse('notifications:inbox')}?digest={digest.pk}"


def digest_of(digest_id: int, person: User) -> Digest | None:
    """One of the person's digests (``None``: no such digest, or someone else's)."""
    return Digest.objects.filter(pk=digest_id, recipient=person).first()


def _same_window(digest: Digest | int, person: User) -> QuerySet[DigestItem]:
    """The items of every writer's row of the digest's person, kind, scope and window."""
    rows = Digest.objects.filter(pk=digest.pk if isinstance(digest, Digest) else digest)
    return DigestItem.objects.filter(
        digest__recipient=person,
        digest__recipient_id=Subquery(rows.values("recipient_id")),
        digest__kind=Subquery(rows.values("kind")),
        digest__scope=Subquery(rows.values("scope")),
        digest__window_start=Subquery(rows.values("window_start")),
    )


def items_of(digest: Digest) -> QuerySet[DigestItem]:
    """A digest's items, every writer's share, in the order they were folded."""
    return _same_window(digest, digest.recipient).order_by("pk")


def numbers_of(digest_id: int, person: User) -> QuerySet[DigestItem, str]:
    """The numbers a person's digest folded, as a subquery (what a feature's list filter
    narrows to: the queue's ``?digest=``); none when the digest is someone else's."""
    return _same_window(digest_id, person).values_list("number", flat=True)


# --- the words --------------------------------------------------------------------------------


def summary(count: int, numbers: list[str], *, scope: str, minutes: int, kind: str = "") -> str:
    """ "37 tickets breached their response time: IT-…, IT-…, … and 30 more", in the active
    language: the kind's own wording (``kinds.digest_wording``), else "37 notifications in
    10 minutes"; every form names the count, in the language's plural forms."""
    shown = _(", ").join(numbers[:NUMBERS_SHOWN])
    more = count - min(len(numbers), NUMBERS_SHOWN)
    what = kinds.digest_words(kind, count) if kind else None
    if what is not None and scope == DigestScope.OUTSIDE:
        head = _("%(what)s during your quiet hours") % {"what": what}
    elif what is not None:
        head = what
    elif scope == DigestScope.OUTSIDE:
        head = ngettext(
            "%(count)d notification during your quiet hours",
            "%(count)d notifications during your quiet hours",
            count,
        ) % {"count": count}
    else:
        head = ngettext(
            "%(count)d notification in %(minutes)d minutes",
            "%(count)d notifications in %(minutes)d minutes",
            count,
        ) % {"count": count, "minutes": minutes}
    if not shown:
        return head
    text = _("%(head)s: %(numbers)s") % {"head": head, "numbers": shown}
    if more > 0:
        text = ngettext("%(text)s and %(more)d more", "%(text)s and %(more)d more", more) % {
            "text": text,
            "more": more,
        }
    return text


# --- closing ----------------------------------------------------------------------------------

Key = tuple[int, str, str, dt.datetime]  # person, kind, scope, window


@dataclass
class Closing:
    """One person's digest of one kind and window (every writer's rows claimed now), with
    what its message tells: the items not told yet."""

    rows: list[Digest]
    counts: dict[int, int]  # items per row
    numbers: list[str]  # of the items not told yet, the first few

    @property
    def first(self) -> Digest:
        return self.rows[0]

    @property
    def new(self) -> int:
        return sum(self.counts.get(row.pk, 0) - row.sent for row in self.rows)


def close_due(now: dt.datetime | None = None, *, batch: int = CLOSE_BATCH) -> int:
    """Tell every digest whose window has closed; how many messages (per person and
    digest) were written. Batches of ``batch`` windows, one transaction each."""
    now = now or timezone.now()
    told = 0
    while True:
        claimed, written = close_batch(now, batch=batch)
        told += written
        if claimed < batch:
            return told


def close_batch(now: dt.datetime, *, batch: int = CLOSE_BATCH) -> tuple[int, int]:
    """One transaction: claim the due rows of up to ``batch`` windows (``FOR UPDATE SKIP
    LOCKED``: two closers split them), drop those that folded nothing (they were counters),
    write one message per person, kind and window for the others and remember what they
    told. Returns (windows claimed, messages written)."""
    with transaction.atomic():
        claimed = _claim(now, batch)
        if not claimed:
            return 0, 0
        windows = len({_key(row) for row in claimed})
        counts, numbers = _counts(claimed)
        empty = [d.pk for d in claimed if not counts.get(d.pk)]
        if empty:
            Digest.objects.filter(pk__in=empty).delete()
        groups: dict[Key, list[Digest]] = {}
        for row in claimed:
            if counts.get(row.pk):
                groups.setdefault(_key(row), []).append(row)
        closings = [
            Closing(
                rows,
                counts,
                [n for row in rows for n in numbers.get(row.pk, [])][:NUMBERS_SHOWN],
            )
            for rows in groups.values()
        ]
        fresh = [c for c in closings if c.new > 0]
        written = _tell(fresh, now) if fresh else 0
        _remember_sent([row for c in closings for row in c.rows], counts)
    return windows, written


def _key(row: Digest) -> Key:
    return (row.recipient_id, str(row.kind), str(row.scope), row.window_start)


def _claim(now: dt.datetime, batch: int) -> list[Digest]:
    """Every due row of up to ``batch`` windows (person, kind, scope, window), so that a
    window's rows (one per writer) are told in one message."""
    table = sql.table(Digest)
    values: list[Any] = [now, now, batch, now]
    rows = sql.execute_arrays(
        f"UPDATE {table} SET closed_at = %b WHERE id IN (SELECT d.id FROM {table} "  # noqa: S608
        "d JOIN (SELECT DISTINCT recipient_id, kind, scope, window_start FROM "
        f"{table} WHERE closed_at IS NULL AND closes_at <= %b ORDER BY window_start, "
        "recipient_id, kind, scope LIMIT %b) k USING (recipient_id, kind, scope, window_start) "
        "WHERE d.closed_at IS NULL AND d.closes_at <= %b FOR UPDATE OF d SKIP LOCKED) "
        "RETURNING id, recipient_id, kind, scope, window_start, closes_at, sent",
        values,
    )
    found = [
        Digest(
            pk=pk,
            recipient_id=recipient,
            kind=kind,
            scope=scope,
            window_start=start,
            closes_at=closes,
            sent=sent,
            closed_at=now,
        )
        for pk, recipient, kind, scope, start, closes, sent in rows
    ]
    return sorted(found, key=lambda row: row.pk)


def _counts(claimed: list[Digest]) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Per row with items: how many, and the first numbers not told yet (one query)."""
    rows = sql.execute_arrays(
        "SELECT i.digest_id, count(*), "  # noqa: S608 (table names only)
        f"(array_agg(i.number ORDER BY i.id))[c.sent + 1 : c.sent + {NUMBERS_SHOWN}] "
        f"FROM {sql.table(DigestItem)} i "
        "JOIN unnest(%b::bigint[], %b::int[]) AS c (id, sent) ON c.id = i.digest_id "
        "GROUP BY i.digest_id, c.sent",
        [[d.pk for d in claimed], [d.sent for d in claimed]],
    )
    counts = {pk: int(count) for pk, count, _numbers in rows}
    numbers = {pk: [n for n in (found or []) if n] for pk, _count, found in rows}
    return counts, numbers


def _remember_sent(rows: list[Digest], counts: dict[int, int]) -> None:
    """Each row's items are told: ``sent`` catches up with them (one UPDATE)."""
    if not rows:
        return
    sql.execute_arrays(
        f"UPDATE {sql.table(Digest)} d SET sent = c.count "  # noqa: S608 (table names only)
        "FROM unnest(%b::bigint[], %b::int[]) AS c (id, count) WHERE d.id = c.id",
        [[row.pk for row in rows], [counts.get(row.pk, 0) for row in rows]],
    )


def _tell(closings: list[Closing], now: dt.datetime) -> int:
    """Write each digest's message (its new items), through the outbox without folding;
    a window's digest whose person is in their quiet hours goes to the app only, and its
    new items join their morning digest. Returns the messages written (per person)."""
    people = {u.pk: u for u in User.objects.filter(pk__in={c.first.recipient_id for c in closings})}
    hours = {
        q.user_id: q
        for q in QuietHours.objects.filter(user_id__in=[c.first.recipient_id for c in closings])
    }
    rows: list[outbox.Outgoing] = []
    minutes = int(folding.window().total_seconds() // 60)
    for closing in closings:
        digest = closing.first
        person = people.get(digest.recipient_id)
        if person is None or not person.is_active:
            continue
        scope = str(digest.scope)
        night = None
        if scope == DigestScope.ALL and digest.recipient_id in hours:
            night = quiet_hours.night_of(hours[digest.recipient_id], now)
        if night is not None:
            for row in closing.rows:
                _to_the_morning(row, night, now)
            scope = DigestScope.APP
        with translation.override(person.language or settings.LANGUAGE_CODE):
            title = summary(
                closing.new,
                closing.numbers,
                scope=str(digest.scope),
                minutes=minutes,
                kind=str(digest.kind),
            )
        built = outbox.build(
            recipients=[person],
            kind=digest.kind,
            cause=f"digest:{digest.pk}:{closing.new}",
            now=now,
            link=link_for(digest, person),
            payload={
                "digest": digest.pk,
                "count": closing.new,
                "numbers": closing.numbers,
                "scope": str(digest.scope),
                "minutes": minutes,
                "title": title,
            },
            urgency=Urgency.NORMAL,
        )
        rows += [row for row in built if _in_scope(row.channel, scope)]
    pending = outbox.insert(rows, fold=False)
    if pending:
        transaction.on_commit(lambda: tasks.enqueue(pending))
    return len({(row.recipient_id, outbox.cause_of(row.dedupe_key)) for row in rows})


def _in_scope(channel: str, scope: str) -> bool:
    if scope == DigestScope.APP:
        return channel == NotificationChannel.IN_APP
    if scope == DigestScope.OUTSIDE:
        return channel != NotificationChannel.IN_APP
    return True


def _to_the_morning(digest: Digest, night: quiet_hours.Night, now: dt.datetime) -> None:
    """Copy a window digest row's untold items into the person's morning digest (a row of
    this transaction's own), skipping a cause the morning already lists."""
    digest_table, item_table = sql.table(Digest), sql.table(DigestItem)
    values: list[Any] = [
        digest.recipient_id,
        digest.kind,
        night.starts_at,
        night.ends_at,
        now,
        digest.recipient_id,
        digest.kind,
        night.starts_at,
        digest.pk,
        digest.sent,
    ]
    sql.execute_arrays(
        f"WITH night AS (INSERT INTO {digest_table} AS d (recipient_id, kind, scope, "  # noqa: S608
        "window_start, closes_at, offered, sent, created_at, writer) "
        "VALUES (%b, %b, 'outside', %b, %b, 0, 0, %b, txid_current()) "
        "ON CONFLICT (recipient_id, kind, scope, window_start, writer) "
        "DO UPDATE SET offered = d.offered RETURNING d.id) "
        f"INSERT INTO {item_table} (digest_id, cause, number, link, created_at, person, "
        "kind, scope, window_start) SELECT night.id, i.cause, i.number, i.link, "
        "i.created_at, %b, %b, 'outside', %b FROM night, "
        f"(SELECT * FROM {item_table} WHERE digest_id = %b ORDER BY id OFFSET %b) i "
        "ON CONFLICT DO NOTHING",
        values,
    )


# Here, not in tasks.py: the closer writes through the outbox, whose tasks module it uses;
# the worker imports this module from NotificationsConfig.ready().
@shared_task(name="notifications.tasks.close_digests", soft_time_limit=120, time_limit=150)
def close_digests() -> int:
    """Tell the digests whose window closed (beat: every minute)."""
    return close_due()
