"""The SLA sweep: find tickets whose warning or deadline has come, record it once, tell people.

Each batch is one transaction. It claims due rows with
``select_for_update(skip_locked=True)`` in deadline order, so two sweeps (two
beats, a slow run overlapping the next, a second host) split the work instead
of doubling it; a row a service holds locked is skipped and picked up next
time. ``SlaEvent`` is unique on (ticket, kind, due time) and inserted with
``ON CONFLICT DO NOTHING … RETURNING``: only the sweep that really inserted
an event writes its timeline entry and notifications, in the same
transaction. E-mails go out after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

import psycopg
from django.db import connection, transaction
from django.utils import timezone

from tickets import notifications, sla
from tickets.choices import EventKind
from tickets.models import SlaEventKind, Ticket, TicketEvent
from tickets.selectors import engineers, tech_leads

log = logging.getLogger(__name__)

BATCH_SIZE = 500
_SWEEP_FIELDS = [
    "number",
    "title",
    "state",
    "assignee_id",
    "site_id",
    "response_due_at",
    "response_warn_at",
    "response_breached_at",
    "resolution_due_at",
    "resolution_warn_at",
    "resolution_breached_at",
    "sla_paused_at",
    "sla_next_check_at",
]


def sweep_sla(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Process every ticket due by ``now``; returns how many SLA events were recorded."""
    now = now or timezone.now()
    recorded = 0
    while True:
        claimed, inserted = _sweep_batch(now, batch_size)
        recorded += inserted
        if claimed < batch_size:
            return recorded


def _insert_events(
    rows: list[tuple[int, str, dt.datetime]], now: dt.datetime
) -> set[tuple[int, str]]:
    if not rows:
        return set()
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for ticket_id, kind, due_at in rows:
        params += [ticket_id, kind, due_at, now]
    with connection.cursor() as cursor:
        # Only placeholders are interpolated; every value travels in params.
        sql = (
            "INSERT INTO tickets_slaevent (ticket_id, kind, due_at, created_at) VALUES "  # noqa: S608
            + values
            + " ON CONFLICT (ticket_id, kind, due_at) DO NOTHING RETURNING ticket_id, kind"
        )
        cursor.execute(sql, params)
        return {(ticket_id, kind) for ticket_id, kind in cursor.fetchall()}


def _sweep_batch(now: dt.datetime, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(sla_next_check_at__lte=now)
            .order_by("sla_next_check_at")
            .only(*_SWEEP_FIELDS)[:batch_size]
        )
        if not tickets:
            return 0, 0
        due = {t.pk: sla.due_now(t, now) for t in tickets}
        inserted = _insert_events(
            [(t.pk, m.kind, m.due_at) for t in tickets for m in due[t.pk]], now
        )
        for ticket in tickets:
            for milestone in due[ticket.pk]:
                if milestone.kind == SlaEventKind.RESPONSE_BREACH:
                    ticket.response_breached_at = milestone.due_at
                elif milestone.kind == SlaEventKind.RESOLUTION_BREACH:
                    ticket.resolution_breached_at = milestone.due_at
            ticket.sla_next_check_at = sla.next_check(ticket, after=now)
        _save_progress(tickets)
        _announce(tickets, due, inserted, now)
    return len(tickets), len(inserted)


def _save_progress(tickets: list[Ticket]) -> None:
    """Write the batch's breach times and next checks in one ``UPDATE … FROM unnest(arrays)``.

    Django's ``bulk_update`` builds a CASE per row and column; with 500 rows it
    cost more than everything else in the batch. The arrays are bound
    server-side in binary.
    """
    quote = connection.ops.quote_name
    params = [
        [t.pk for t in tickets],
        [t.response_breached_at for t in tickets],
        [t.resolution_breached_at for t in tickets],
        [t.sla_next_check_at for t in tickets],
    ]
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        # Only the table name is interpolated; every value travels in params.
        cursor.execute(
            f"UPDATE {quote(Ticket._meta.db_table)} AS t SET "  # noqa: S608
            "response_breached_at = v.response_breached_at, "
            "resolution_breached_at = v.resolution_breached_at, "
            "sla_next_check_at = v.sla_next_check_at "
            "FROM unnest(%b::bigint[], %b::timestamptz[], %b::timestamptz[], %b::timestamptz[]) "
            "AS v(id, response_breached_at, resolution_breached_at, sla_next_check_at) "
            "WHERE t.id = v.id",
            params,
        )


def _announce(
    tickets: list[Ticket],
    due: dict[int, list[sla.Milestone]],
    inserted: set[tuple[int, str]],
    now: dt.datetime,
) -> None:
    """Timeline entries for breaches; notifications for every newly recorded event."""
    if not inserted:
        return
    queue = list(engineers())
    leads = list(tech_leads())
    # An unassigned ticket belongs to the queue of its site: the engineers based there,
    # or every engineer when the site has none (or the ticket no site).
    by_site: dict[int | None, list[Any]] = defaultdict(list)
    for person in queue:
        by_site[person.site_id].append(person)
    by_id = {person.pk: person for person in [*queue, *leads]}
    missing = {t.assignee_id for t in tickets if t.assignee_id and t.assignee_id not in by_id}
    if missing:
        from accounts.models import User

        by_id.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    events: list[TicketEvent] = []
    rows: list[notifications.Outgoing] = []
    counts: dict[str, int] = defaultdict(int)
    for ticket in tickets:
        for milestone in due[ticket.pk]:
            if (ticket.pk, milestone.kind) not in inserted:
                continue
            counts[milestone.kind] += 1
            breach = milestone.kind.endswith("_breach")
            if breach:
                events.append(
                    TicketEvent(
                        ticket_id=ticket.pk,
                        kind=EventKind.SLA_BREACHED,
                        at=now,
                        data={"clock": milestone.kind, "due_at": milestone.due_at.isoformat()},
                    )
                )
            if ticket.assignee_id:
                recipients = [by_id[ticket.assignee_id]]
            else:
                recipients = by_site.get(ticket.site_id) or queue
            if breach:
                recipients = [*recipients, *leads]
            rows += notifications.build(
                recipients=recipients,
                kind=milestone.kind,
                cause=f"sla:{ticket.pk}:{milestone.kind}:{milestone.due_at.isoformat()}",
                ticket=ticket,
                now=now,
                payload={"due_at": milestone.due_at.isoformat()},
            )
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    notifications.save_and_dispatch(rows)
    log.info("SLA sweep recorded %s", dict(counts))
