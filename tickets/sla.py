"""SLA clock arithmetic for one ticket. Pure: takes the policy, the calendar and
the ticket's timestamps, returns datetimes; never touches the ORM or the clock.

Both clocks start at submission. The response clock stops at acceptance (the
first response). The resolution clock stops at resolution and pauses while the
ticket waits on the requester or a vendor, and while a fix awaits
verification; every pause adds its working time to ``held_seconds`` and the
deadline moves by exactly that much:

    resolution_due = add_working(submitted_at, budget + held_seconds)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from servicedesk.lib.business_hours import (
    CalendarData,
    add_working_seconds,
    always_open,
    working_seconds_between,
)
from tickets.choices import TicketState
from tickets.sla_models import SlaEventKind

RESPONSE_STATES = frozenset({TicketState.SUBMITTED})
RESOLUTION_STATES = frozenset({TicketState.SUBMITTED, TicketState.ACCEPTED, TicketState.DIAGNOSED})


@dataclass(frozen=True)
class Policy:
    """The numbers of an ``SlaPolicy`` row, detached from the database."""

    priority: str
    respond_minutes: int
    respond_24x7: bool
    resolve_minutes: int
    resolve_24x7: bool
    warn_percent: int = 80

    @classmethod
    def of(cls, row: Any) -> Policy:
        return cls(
            priority=row.priority,
            respond_minutes=row.respond_minutes,
            respond_24x7=row.respond_24x7,
            resolve_minutes=row.resolve_minutes,
            resolve_24x7=row.resolve_24x7,
            warn_percent=row.warn_percent,
        )


@dataclass(frozen=True)
class Deadlines:
    response_due_at: dt.datetime
    response_warn_at: dt.datetime
    resolution_due_at: dt.datetime
    resolution_warn_at: dt.datetime


def response_calendar(policy: Policy, calendar: CalendarData) -> CalendarData:
    return always_open(calendar.time_zone) if policy.respond_24x7 else calendar


def resolution_calendar(policy: Policy, calendar: CalendarData) -> CalendarData:
    return always_open(calendar.time_zone) if policy.resolve_24x7 else calendar


def deadlines(
    *, submitted_at: dt.datetime, held_seconds: int, policy: Policy, calendar: CalendarData
) -> Deadlines:
    """Due and warning times of both clocks."""
    respond = policy.respond_minutes * 60
    resolve = policy.resolve_minutes * 60
    respond_cal = response_calendar(policy, calendar)
    resolve_cal = resolution_calendar(policy, calendar)
    return Deadlines(
        response_due_at=add_working_seconds(submitted_at, respond, respond_cal),
        response_warn_at=add_working_seconds(
            submitted_at, respond * policy.warn_percent // 100, respond_cal
        ),
        resolution_due_at=add_working_seconds(submitted_at, resolve + held_seconds, resolve_cal),
        resolution_warn_at=add_working_seconds(
            submitted_at, resolve * policy.warn_percent // 100 + held_seconds, resolve_cal
        ),
    )


def held_between(
    paused_at: dt.datetime, resumed_at: dt.datetime, policy: Policy, calendar: CalendarData
) -> int:
    """Working seconds of a pause, on the resolution clock's calendar."""
    return working_seconds_between(paused_at, resumed_at, resolution_calendar(policy, calendar))


@dataclass(frozen=True)
class Milestone:
    kind: str
    fires_at: dt.datetime
    due_at: dt.datetime


def milestones(ticket: Any) -> list[Milestone]:
    """Warnings and breaches still ahead of this ticket (or passed but not yet recorded).

    A breach already recorded (``*_breached_at``) is not repeated; a paused or
    finished clock has none.
    """
    found: list[Milestone] = []
    if (
        ticket.state in RESPONSE_STATES
        and ticket.response_due_at
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


def due_now(ticket: Any, now: dt.datetime) -> list[Milestone]:
    """What the sweep records now. A warning whose breach is also due is skipped."""
    due = [m for m in milestones(ticket) if m.fires_at <= now]
    breached = {m.kind for m in due if m.kind.endswith("_breach")}
    return [
        m
        for m in due
        if not (m.kind.endswith("_warning") and m.kind.replace("_warning", "_breach") in breached)
    ]


def next_check(ticket: Any, after: dt.datetime | None = None) -> dt.datetime | None:
    """When the sweep must look at this ticket next (``None``: never, until a service changes it).

    With ``after``, only milestones later than it count (the sweep has handled
    the rest); without, the earliest pending one, even if already passed.
    """
    times = [m.fires_at for m in milestones(ticket) if after is None or m.fires_at > after]
    return min(times, default=None)


def current_due(ticket: Any) -> dt.datetime | None:
    """The deadline the queue sorts by: response while unaccepted, then resolution."""
    if ticket.state in RESPONSE_STATES:
        return ticket.response_due_at
    if ticket.state in RESOLUTION_STATES and ticket.sla_paused_at is None:
        return ticket.resolution_due_at
    return None
