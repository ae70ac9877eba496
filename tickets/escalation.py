"""The escalation ladder of a high-priority ticket nobody accepts, declared on ``sla``'s
timed-obligation mechanism.

Rung one is the response deadline itself (15 minutes for high priority): ``TicketClocks``
records the ``response_breach`` and tells the engineers covering the ticket's site (and
whoever it was given to), at once. This declaration adds the next rungs, timed from that
deadline on the wall clock (a high-priority response clock runs 7×24):

* ``escalation_tech_lead``, 15 minutes later (half an hour after filing): the tech leads
  who serve the site, urgent — an IM's urgent mode where they linked one;
* ``escalation_manager``, 45 minutes later (an hour after filing): the managers
  (``receive_escalations``), at once.

Rows: tickets with ``escalation_check_at`` (partial index ``tickets_escalation_due``),
which ``tickets.clocks`` sets while a high-priority ticket waits for acceptance and clears
the moment someone accepts it (or it leaves high priority, or is closed); ``due`` asks the
row again, so a sweep that claims a ticket accepted meanwhile records nothing. Due: the
rungs whose time has come, recorded as ``SlaEvent`` rows, unique on ticket, kind and the
rung's time: each rung once per response deadline, however many sweeps run. Announce: an
``sla_escalated`` entry in the ticket's SLA explanation, and the notices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from notifications import outbox
from notifications.choices import Urgency
from sla.obligations import Due, Obligation
from tickets import milestones
from tickets.choices import EventKind, Priority, TicketNotice
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.notify import EscalationAudience, rows_about

# (rung, how long after the response deadline, how its notices travel)
RUNGS: tuple[tuple[str, dt.timedelta, str], ...] = (
    (SlaEventKind.ESCALATION_TECH_LEAD, dt.timedelta(minutes=15), Urgency.URGENT),
    (SlaEventKind.ESCALATION_MANAGER, dt.timedelta(minutes=45), Urgency.HIGH),
)


def rungs(ticket: Ticket) -> list[tuple[str, dt.datetime, str]]:
    """The ladder's rungs after the first, with their times, while it applies: a
    high-priority ticket that nobody has accepted yet."""
    due = ticket.response_due_at
    if (
        ticket.priority != Priority.HIGH
        or ticket.state not in milestones.RESPONSE_STATES
        or ticket.accepted_at is not None
        or due is None
    ):
        return []
    return [(kind, due + after, urgency) for kind, after, urgency in RUNGS]


def next_check(ticket: Ticket, after: dt.datetime | None = None) -> dt.datetime | None:
    """When the ladder's sweep must look at the ticket next (``None``: never, until a
    service changes it). Without ``after``, the earliest rung even if passed (the sweep
    records each once); with it, only rungs later than ``after``."""
    times = [at for _kind, at, _urgency in rungs(ticket) if after is None or at > after]
    return min(times, default=None)


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


class Escalation(Obligation[Ticket]):
    name = "tickets.escalation"
    model = Ticket
    next_check_field = "escalation_check_at"
    event_model = SlaEvent
    event_object_field = "ticket"
    fields = (
        "number",
        "title",
        "state",
        "priority",
        "site_id",
        "accepted_at",
        "response_due_at",
    )
    progress_fields = ("escalation_check_at",)
    batch_size = 200

    def due(self, row: Ticket, now: dt.datetime) -> list[Due]:
        return [Due(row.pk, kind, at) for kind, at, _urgency in rungs(row) if at <= now]

    def advance(self, row: Ticket, due: list[Due], now: dt.datetime) -> None:
        row.escalation_check_at = next_check(row, after=now)

    def announce(self, rows: list[Ticket], recorded: list[Due], now: dt.datetime) -> None:
        by_ticket: dict[int, list[Due]] = defaultdict(list)
        for found in recorded:
            by_ticket[found.object_id].append(found)
        urgency = {kind: level for kind, _after, level in RUNGS}
        audience = EscalationAudience()
        events: list[TicketEvent] = []
        notices: list[outbox.Outgoing] = []
        for ticket in rows:
            for found in by_ticket.get(ticket.pk, []):
                due_at = found.due_at.isoformat()
                events.append(
                    TicketEvent(
                        ticket_id=ticket.pk,
                        kind=EventKind.SLA_ESCALATED,
                        at=now,
                        data={"rung": found.kind, "due_at": due_at},
                    )
                )
                notices += rows_about(
                    ticket,
                    recipients=audience.for_rung(ticket, found.kind),
                    kind=TicketNotice(found.kind),
                    cause=f"sla:{ticket.pk}:{found.kind}:{due_at}",
                    now=now,
                    extra={"due_at": _iso(ticket.response_due_at)},
                    urgency=urgency[found.kind],
                )
        TicketEvent.objects.bulk_create(events)
        outbox.save_and_dispatch(notices)
