"""When a ticket's SLA clocks warn and breach: pure rules over its stored columns.

The sweep (``tickets.obligations``) and the services (``tickets.clocks``) ask
these; nothing here touches the ORM or the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tickets.choices import TicketState
from tickets.models import SlaEventKind

if TYPE_CHECKING:
    from tickets.models import Ticket

RESPONSE_STATES = frozenset({TicketState.SUBMITTED})
RESOLUTION_STATES = frozenset({TicketState.SUBMITTED, TicketState.ACCEPTED, TicketState.DIAGNOSED})
BREACH_KINDS = frozenset({SlaEventKind.RESPONSE_BREACH, SlaEventKind.RESOLUTION_BREACH})


@dataclass(frozen=True)
class Milestone:
    kind: str
    fires_at: dt.datetime
    due_at: dt.datetime


def milestones(ticket: Ticket) -> list[Milestone]:
    """Warnings and breaches still ahead of this ticket (or passed but not yet recorded).

    A breach already recorded (``*_breached_at``) is not repeated; a paused or
    finished clock has none.
    """
    found: list[Milestone] = []
    if (
        ticket.state in RESPONSE_STATES
        and ticket.response_due_at
        and ticket.response_warn_at
        and not ticket.response_breached_at
    ):
        found.append(
            Milestone(
                SlaEventKind.RESPONSE_WARNING, ticket.response_warn_at, ticket.response_due_at
            )
        )
        found.append(
            Milestone(SlaEventKind.RESPONSE_BREACH, ticket.response_due_at, ticket.response_due_at)
        )
    if (
        ticket.state in RESOLUTION_STATES
        and ticket.sla_paused_at is None
        and ticket.resolution_due_at
        and ticket.resolution_warn_at
        and not ticket.resolution_breached_at
    ):
        found.append(
            Milestone(
                SlaEventKind.RESOLUTION_WARNING, ticket.resolution_warn_at, ticket.resolution_due_at
            )
        )
        found.append(
            Milestone(
                SlaEventKind.RESOLUTION_BREACH, ticket.resolution_due_at, ticket.resolution_due_at
            )
        )
    return found


def due_now(ticket: Ticket, now: dt.datetime) -> list[Milestone]:
    """What the sweep records now. A warning whose breach is also due is skipped."""
    due = [m for m in milestones(ticket) if m.fires_at <= now]
    breached = {m.kind for m in due if m.kind.endswith("_breach")}
    return [
        m
        for m in due
        if not (m.kind.endswith("_warning") and m.kind.replace("_warning", "_breach") in breached)
    ]


def next_check(ticket: Ticket, after: dt.datetime | None = None) -> dt.datetime | None:
    """When the sweep must look at this ticket next (``None``: never, until a service changes it).

    With ``after``, only milestones later than it count (the sweep has handled
    the rest); without, the earliest pending one, even if already passed.
    """
    times = [m.fires_at for m in milestones(ticket) if after is None or m.fires_at > after]
    return min(times, default=None)


def current_due(ticket: Ticket) -> dt.datetime | None:
    """The deadline the queue sorts by: response while unaccepted, then resolution."""
    if ticket.state in RESPONSE_STATES:
        return ticket.response_due_at
    if ticket.state in RESOLUTION_STATES and ticket.sla_paused_at is None:
        return ticket.resolution_due_at
    return None
