"""The ticket's response and resolution clocks, declared on ``sla``'s timed-obligation mechanism.

Rows: tickets with ``sla_next_check_at`` set (partial index ``tickets_sla_due``).
Due: the warnings (80 %) and breaches of ``tickets.milestones``, recorded in
``SlaEvent`` (unique on ticket, kind, due time). Advance: a recorded breach
time, and the next milestone ahead. Announce: a ``sla_breached`` timeline
entry per breach, and notifications through ``tickets.notify`` (``SlaAudience``: whom,
and how urgently — a high-priority ticket's at once, the others' may fold into digests,
the tech leads' only into digests). A high-priority ticket's response breach is the
first rung of its escalation ladder; ``tickets.escalation`` declares the others.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from django.db import connection, models
from django.utils.translation import ngettext_lazy

from notifications import outbox
from servicedesk.lib import sql
from sla.obligations import Due, Obligation, sweep
from tickets import milestones
from tickets.choices import EventKind, TicketNotice
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.notify import SlaAudience, rows_about, ticket_links


class TicketClocks(Obligation[Ticket]):
    name = "tickets.sla"
    model = Ticket
    next_check_field = "sla_next_check_at"
    event_model = SlaEvent
    event_object_field = "ticket"
    fields = (
        "number",
        "title",
        "state",
        "priority",
        "assignee_id",
        "site_id",
        "response_due_at",
        "response_warn_at",
        "response_breached_at",
        "resolution_due_at",
        "resolution_warn_at",
        "resolution_breached_at",
        "sla_paused_at",
    )
    progress_fields = ("response_breached_at", "resolution_breached_at", "sla_next_check_at")

    def due(self, row: Ticket, now: dt.datetime) -> list[Due]:
        return [Due(row.pk, m.kind, m.due_at) for m in milestones.due_now(row, now)]

    def advance(self, row: Ticket, due: list[Due], now: dt.datetime) -> None:
        for found in due:
            if found.kind == SlaEventKind.RESPONSE_BREACH:
                row.response_breached_at = found.due_at
            elif found.kind == SlaEventKind.RESOLUTION_BREACH:
                row.resolution_breached_at = found.due_at
        row.sla_next_check_at = milestones.next_check(row, after=now)

    def announce(self, rows: list[Ticket], recorded: list[Due], now: dt.datetime) -> None:
        by_ticket: dict[int, list[Due]] = defaultdict(list)
        for found in recorded:
            by_ticket[found.object_id].append(found)
        audience = SlaAudience(rows)
        link_of = ticket_links()
        breached: list[int] = []
        entries: list[dict[str, str]] = []
        notices: list[outbox.Outgoing] = []
        for ticket in rows:
            link = link_of(ticket)
            for found in by_ticket.get(ticket.pk, []):
                breach = found.kind in milestones.BREACH_KINDS
                due_at = found.due_at.isoformat()
                if breach:
                    breached.append(ticket.pk)
                    entries.append({"clock": found.kind, "due_at": due_at})
                for recipients, urgency in audience.for_event(ticket, found.kind):
                    notices += rows_about(
                        ticket,
                        recipients=recipients,
                        kind=TicketNotice(found.kind),
                        cause=f"sla:{ticket.pk}:{found.kind}:{due_at}",
                        now=now,
                        extra={"due_at": due_at},
                        urgency=urgency,
                        link=link,
                    )
        _put_on_timelines(breached, entries, now)
        outbox.save_and_dispatch(notices)


def _put_on_timelines(tickets: list[int], data: list[dict[str, str]], now: dt.datetime) -> None:
    """One ``sla_breached`` timeline entry per breach, in one ``INSERT … unnest``: a batch
    writes hundreds, and ``bulk_create`` prepared each value of each through its field.
    Every other column is its field's default."""
    if not tickets:
        return
    encoder = TicketEvent._meta.get_field("data").encoder
    given: dict[str, Any] = {
        "ticket_id": tickets,
        "data": [json.dumps(entry, cls=encoder) for entry in data],
    }
    constant: dict[str, Any] = {"kind": EventKind.SLA_BREACHED.value, "at": now}
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in TicketEvent._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(sql.column(field))
        if field.attname in given:
            cast = "::jsonb" if isinstance(field, models.JSONField) else ""
            values.append(f"v.{sql.column(field)}{cast}")
            continue
        value = constant.get(field.attname, field.get_default())
        if isinstance(field, models.JSONField):
            values.append("%b::jsonb")
            params.append(json.dumps(value, cls=encoder))
        else:
            values.append(f"%b::{field.db_type(connection)}")
            params.append(value)
    ticket, entry = (sql.column(TicketEvent._meta.get_field(n)) for n in ("ticket", "data"))
    sql.execute_arrays(
        f"INSERT INTO {sql.table(TicketEvent)} ({', '.join(columns)}) "  # noqa: S608 (names)
        f"SELECT {', '.join(values)} "
        f"FROM unnest(%b::bigint[], %b::text[]) AS v ({ticket}, {entry})",
        [*params, given["ticket_id"], given["data"]],
    )


BATCH_SIZE = TicketClocks.batch_size

# What a digest of the clocks' news counts (``kinds.digest_wording``, from the app's
# ``ready``); the ticket's other news reads "37 notifications in 10 minutes".
DIGEST_WORDINGS = {
    SlaEventKind.RESPONSE_WARNING: ngettext_lazy(
        "%(count)d ticket is due for a response soon",
        "%(count)d tickets are due for a response soon",
        "count",
    ),
    SlaEventKind.RESPONSE_BREACH: ngettext_lazy(
        "%(count)d ticket breached its response time",
        "%(count)d tickets breached their response time",
        "count",
    ),
    SlaEventKind.RESOLUTION_WARNING: ngettext_lazy(
        "%(count)d ticket is due for resolution soon",
        "%(count)d tickets are due for resolution soon",
        "count",
    ),
    SlaEventKind.RESOLUTION_BREACH: ngettext_lazy(
        "%(count)d ticket breached its resolution time",
        "%(count)d tickets breached their resolution time",
        "count",
    ),
}


def sweep_sla(*, now: dt.datetime | None = None, batch_size: int | None = None) -> int:
    """Run the ticket clocks' sweep to the end now; how many SLA events it recorded.

    For tests, benchmarks and the reliability checks; beat runs it through
    ``sla.tasks`` with every other obligation.
    """
    return sweep(TicketClocks(), now=now, batch_size=batch_size).total
