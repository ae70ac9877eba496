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
from sla.choices import RetriageRule
from tickets import escalation, milestones
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
    "escalation_check_at",
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
    """The sweeps' next looks: the clocks' milestones, and a high-priority ticket's
    escalation ladder (cleared once it is accepted, leaves high priority or closes)."""
    ticket.sla_next_check_at = milestones.next_check(ticket)
    ticket.escalation_check_at = escalation.next_check(ticket)
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


def response_minutes(ticket: Ticket, accepted_at: dt.datetime) -> int:
    """Working minutes from submission to acceptance on the response clock's calendar (of
    the ticket's current priority and site), whole minutes."""
    calendar = rules.response_calendar(
        policy_for(ticket.priority), calendar_for_site(ticket.site_id)
    )
    return rules.elapsed_seconds(ticket.submitted_at, accepted_at, calendar) // 60


def resolution_minutes(ticket: Ticket, resolved_at: dt.datetime, held_seconds: int) -> int:
    """Working minutes from submission to ``resolved_at`` on the resolution clock's calendar,
    the ``held_seconds`` of working time on hold left out, whole minutes."""
    policy = policy_for(ticket.priority)
    calendar = rules.resolution_calendar(policy, calendar_for_site(ticket.site_id))
    return rules.elapsed_seconds(ticket.submitted_at, resolved_at, calendar, held_seconds) // 60


def stop_response(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """Acceptance is the first response: met, or late by how much (wall-clock seconds).
    The working minutes it took are kept for the reports (``response_minutes``)."""
    ticket.response_minutes = response_minutes(ticket, now)
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


def _hold_counted_from(ticket: Ticket) -> dt.datetime | None:
    """Where the open hold starts counting: when the clock paused, or later if a priority
    change restarted the resolution clock during the hold (the restarted budget starts at
    the change; the hold before it moved a deadline that no longer applies)."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return None
    last = (
        TicketEvent.objects.filter(
            ticket=ticket, kind=EventKind.SLA_RECALCULATED, at__gte=paused_at
        )
        .order_by("-at", "-pk")
        .values_list("at", "data")
        .first()
    )
    if last and last[1].get("resolution") in (rules.RESTARTED, rules.KEPT):
        return max(paused_at, last[0])
    return paused_at


def resume(ticket: Ticket, now: dt.datetime, reason: str) -> dict[str, Any] | None:
    """Resume: the deadline moves by exactly the working time the clock was held."""
    since = _hold_counted_from(ticket)
    if since is None or ticket.sla_paused_at is None:
        return None
    policy = policy_for(ticket.priority)
    calendar = calendar_for_site(ticket.site_id)
    held = rules.held_between(since, now, policy, calendar)
    old_due = ticket.resolution_due_at
    ticket.held_seconds = _remeasure_held(ticket, (ticket.sla_paused_at, now))
    ticket.sla_paused_at = None
    if ticket.resolution_due_at and ticket.resolution_warn_at:
        moved = rules.moved_by_hold(
            rules.Target(ticket.resolution_due_at, ticket.resolution_warn_at),
            held,
            rules.resolution_calendar(policy, calendar),
        )
        ticket.resolution_due_at, ticket.resolution_warn_at = moved.due_at, moved.warn_at
    _forget_breaches_not_due(ticket, now)
    refresh_next_check(ticket)
    return {
        "reason": reason,
        "held_seconds": held,
        "from": _iso(old_due),
        "to": _iso(ticket.resolution_due_at),
    }


def _elapsed(ticket: Ticket, now: dt.datetime, old: rules.Policy) -> tuple[int, int]:
    """Working time each clock ran before a priority change, on the old policy's clocks,
    time on hold left out (finished holds and the open one)."""
    calendar = calendar_for_site(ticket.site_id)
    submitted = ticket.submitted_at
    response = rules.elapsed_seconds(
        submitted, ticket.accepted_at or now, rules.response_calendar(old, calendar)
    )
    held = ticket.held_seconds
    if ticket.sla_paused_at is not None:
        held += rules.held_between(ticket.sla_paused_at, now, old, calendar)
    resolution = rules.elapsed_seconds(
        submitted, now, rules.resolution_calendar(old, calendar), held
    )
    return response, resolution


def _restart_clocks(ticket: Ticket, now: dt.datetime, old: rules.Policy) -> tuple[str, str]:
    """The ``restart`` rule on both clocks; what happened to each (``rules.RESTARTED`` …)."""
    policy = policy_for(ticket.priority)
    calendar = calendar_for_site(ticket.site_id)
    lowered = rules.is_lowered(old.priority, policy.priority)
    response = rules.DONE
    if ticket.accepted_at is None and ticket.state in milestones.RESPONSE_STATES:
        was = _target(ticket.response_due_at, ticket.response_warn_at)
        found, response = rules.restart(
            was, rules.response_target(now, policy, calendar), lowered=lowered
        )
        ticket.response_due_at, ticket.response_warn_at = found.due_at, found.warn_at
    resolution = rules.DONE
    if ticket.state in milestones.RESOLUTION_STATES:
        was = _target(ticket.resolution_due_at, ticket.resolution_warn_at)
        if was is not None and ticket.sla_paused_at is not None:
            # On hold: the old promise as it stands now (moved by the hold so far on the old
            # policy's clock); the hold goes on from the change (``_hold_counted_from``).
            held = rules.held_between(ticket.sla_paused_at, now, old, calendar)
            was = rules.moved_by_hold(was, held, rules.resolution_calendar(old, calendar))
        found, resolution = rules.restart(
            was, rules.resolution_target(now, policy, calendar), lowered=lowered
        )
        ticket.resolution_due_at, ticket.resolution_warn_at = found.due_at, found.warn_at
    return response, resolution


def _target(due: dt.datetime | None, warn: dt.datetime | None) -> rules.Target | None:
    return rules.Target(due, warn) if due and warn else None


def reprioritise(ticket: Ticket, now: dt.datetime, *, previous: str, reason: str) -> dict[str, Any]:
    """Apply the re-triage rule of the new priority's policy after ``ticket.priority`` changed
    from ``previous``; return the ``sla_recalculated`` event's data, which the SLA
    explanation reads (rule, what happened to each clock, time elapsed, old and new times).

    ``restart``: a clock not yet met restarts at ``now`` with the new budget (a lowered
    priority keeps the later promise), so nothing is overdue because of the change and no
    breach is recorded by it. ``from_submission``: both recomputed from the filing time; a
    deadline already past is breached at once, and the next sweep records it.

    Changes fields on ``ticket`` only, so the priority form's preview runs it on an unsaved
    copy and shows exactly what a save would store.
    """
    old = policy_for(previous)
    policy = policy_for(ticket.priority)
    before = (ticket.response_due_at, ticket.resolution_due_at)
    response_elapsed, resolution_elapsed = _elapsed(ticket, now, old)
    ticket.held_seconds = _remeasure_held(ticket)
    if policy.retriage_rule == RetriageRule.FROM_SUBMISSION:
        _apply_deadlines(ticket)
        response = rules.RECALCULATED if ticket.accepted_at is None else rules.DONE
        resolution = rules.RECALCULATED
    else:
        response, resolution = _restart_clocks(ticket, now, old)
    _forget_breaches_not_due(ticket, now)
    refresh_next_check(ticket)
    return {
        "reason": reason,
        "rule": policy.retriage_rule,
        "from_priority": previous,
        "priority": ticket.priority,
        "response": response,
        "resolution": resolution,
        "response_elapsed_seconds": response_elapsed,
        "resolution_elapsed_seconds": resolution_elapsed,
        "respond_minutes": policy.respond_minutes,
        "respond_24x7": policy.respond_24x7,
        "resolve_minutes": policy.resolve_minutes,
        "resolve_24x7": policy.resolve_24x7,
        "response_from": _iso(before[0]),
        "response_to": _iso(ticket.response_due_at),
        "resolution_from": _iso(before[1]),
        "resolution_to": _iso(ticket.resolution_due_at),
    }


def stop_resolution(ticket: Ticket, now: dt.datetime) -> None:
    """Resolved: a fix after the deadline is recorded late at once, not at the next sweep.
    The working minutes it took are kept for the reports (``resolution_minutes``): every
    finished hold left out, and a hold still open at the fix (a vendor's) up to now."""
    held = ticket.held_seconds
    if ticket.sla_paused_at is not None:
        held += rules.held_between(
            ticket.sla_paused_at,
            now,
            policy_for(ticket.priority),
            calendar_for_site(ticket.site_id),
        )
    ticket.resolution_minutes = resolution_minutes(ticket, now, held)
    due = ticket.resolution_due_at
    if due and now > due and not ticket.resolution_breached_at and ticket.sla_paused_at is None:
        ticket.resolution_breached_at = due


def finish(ticket: Ticket) -> None:
    """Verified, closed or cancelled: nothing left to watch."""
    ticket.sla_paused_at = None
    ticket.sla_next_check_at = None
    ticket.escalation_check_at = None
    ticket.next_due_at = None
