"""Moving a ticket's SLA columns when a service changes the ticket.

Called by ``tickets.services`` inside their transaction, on the locked row.
Each function changes fields on the ticket only and returns the data for the
``TicketEvent`` that explains the change; the arithmetic is in ``sla.rules``
(deadlines) and ``tickets.milestones`` (when the clocks warn and breach).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sla import rules
from sla.calendars import calendar_for_site, policy_for
from tickets import milestones
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent

SLA_FIELDS = [
    "response_due_at",
    "response_warn_at",
    "response_breached_at",
    "resolution_due_at",
    "resolution_warn_at",
    "resolution_breached_at",
    "sla_paused_at",
    "held_seconds",
    "sla_next_check_at",
    "next_due_at",
]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _pause_intervals(ticket: Ticket) -> list[tuple[dt.datetime, dt.datetime]]:
    """The finished pauses of this ticket, from its timeline (the open one is not included)."""
    intervals = []
    started: dt.datetime | None = None
    kinds = (EventKind.SLA_PAUSED, EventKind.SLA_RESUMED)
    for kind, at in (
        TicketEvent.objects.filter(ticket=ticket, kind__in=kinds)
        .order_by("at", "pk")
        .values_list("kind", "at")
    ):
        if kind == EventKind.SLA_PAUSED and started is None:
            started = at
        elif kind == EventKind.SLA_RESUMED and started is not None:
            intervals.append((started, at))
            started = None
    return intervals


def _remeasure_held(ticket: Ticket, extra: tuple[dt.datetime, dt.datetime] | None = None) -> int:
    """Held time of every finished pause (and ``extra``), measured on the calendar of the
    ticket's current policy: a priority change never mixes wall-clock and working seconds."""
    policy = policy_for(ticket.priority)
    calendar = calendar_for_site(ticket.site_id)
    intervals = _pause_intervals(ticket) + ([extra] if extra else [])
    return sum(rules.held_between(start, end, policy, calendar) for start, end in intervals)


def _apply_deadlines(ticket: Ticket) -> rules.Policy:
    """Recompute the deadlines. Once the ticket is accepted the response clock is history:
    its due time and breach stay as they were."""
    policy = policy_for(ticket.priority)
    found = rules.deadlines(
        submitted_at=ticket.submitted_at,
        held_seconds=ticket.held_seconds,
        policy=policy,
        calendar=calendar_for_site(ticket.site_id),
    )
    if ticket.accepted_at is None:
        ticket.response_due_at = found.response_due_at
        ticket.response_warn_at = found.response_warn_at
    ticket.resolution_due_at = found.resolution_due_at
    ticket.resolution_warn_at = found.resolution_warn_at
    return policy


def _forget_breaches_not_due(ticket: Ticket, now: dt.datetime) -> None:
    """A deadline moved into the future is not missed (yet); its SlaEvent stays as history."""
    if (
        ticket.accepted_at is None
        and ticket.response_breached_at
        and ticket.response_due_at
        and ticket.response_due_at > now
    ):
        ticket.response_breached_at = None
    if (
        ticket.resolution_breached_at
        and ticket.resolution_due_at
        and ticket.resolution_due_at > now
    ):
        ticket.resolution_breached_at = None


def refresh_next_check(ticket: Ticket) -> None:
    ticket.sla_next_check_at = milestones.next_check(ticket)
    ticket.next_due_at = milestones.current_due(ticket)


def start(ticket: Ticket) -> dict[str, Any]:
    """Both clocks start at submission."""
    policy = _apply_deadlines(ticket)
    refresh_next_check(ticket)
    return {
        "priority": ticket.priority,
        "response_due_at": _iso(ticket.response_due_at),
        "resolution_due_at": _iso(ticket.resolution_due_at),
        "respond_minutes": policy.respond_minutes,
        "respond_24x7": policy.respond_24x7,
        "resolve_minutes": policy.resolve_minutes,
        "resolve_24x7": policy.resolve_24x7,
    }


def stop_response(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """Acceptance is the first response: met, or late by how much (wall-clock seconds)."""
    due = ticket.response_due_at
    late = bool(due and now > due)
    if late and not ticket.response_breached_at:
        ticket.response_breached_at = due
    refresh_next_check(ticket)
    return {
        "response": "late" if late else "met",
        "late_by_seconds": int((now - due).total_seconds()) if late and due else 0,
    }


def pause(ticket: Ticket, now: dt.datetime, reason: str) -> dict[str, Any] | None:
    """Pause the resolution clock (waiting on someone, or a fix awaiting verification)."""
    if ticket.sla_paused_at is not None:
        return None
    ticket.sla_paused_at = now
    refresh_next_check(ticket)
    return {"reason": reason, "resolution_due_at": _iso(ticket.resolution_due_at)}


def resume(ticket: Ticket, now: dt.datetime, reason: str) -> dict[str, Any] | None:
    """Resume: the deadline moves by exactly the working time the clock was paused."""
    if ticket.sla_paused_at is None:
        return None
    policy = policy_for(ticket.priority)
    held = rules.held_between(ticket.sla_paused_at, now, policy, calendar_for_site(ticket.site_id))
    old_due = ticket.resolution_due_at
    ticket.held_seconds = _remeasure_held(ticket, (ticket.sla_paused_at, now))
    ticket.sla_paused_at = None
    _apply_deadlines(ticket)
    _forget_breaches_not_due(ticket, now)
    refresh_next_check(ticket)
    return {
        "reason": reason,
        "held_seconds": held,
        "from": _iso(old_due),
        "to": _iso(ticket.resolution_due_at),
    }


def recalculate(ticket: Ticket, now: dt.datetime, reason: str) -> dict[str, Any]:
    """New deadlines from the submission time under the ticket's (new) priority."""
    before = (ticket.response_due_at, ticket.resolution_due_at)
    ticket.held_seconds = _remeasure_held(ticket)
    _apply_deadlines(ticket)
    _forget_breaches_not_due(ticket, now)
    refresh_next_check(ticket)
    return {
        "reason": reason,
        "priority": ticket.priority,
        "response_from": _iso(before[0]),
        "response_to": _iso(ticket.response_due_at),
        "resolution_from": _iso(before[1]),
        "resolution_to": _iso(ticket.resolution_due_at),
    }


def stop_resolution(ticket: Ticket, now: dt.datetime) -> None:
    """Resolved: a fix after the deadline is recorded late at once, not at the next sweep."""
    due = ticket.resolution_due_at
    if due and now > due and not ticket.resolution_breached_at and ticket.sla_paused_at is None:
        ticket.resolution_breached_at = due


def finish(ticket: Ticket) -> None:
    """Verified, closed or cancelled: nothing left to watch."""
    ticket.sla_paused_at = None
    ticket.sla_next_check_at = None
    ticket.next_due_at = None
