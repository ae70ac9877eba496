"""Deadline rules: pure SLA arithmetic on a policy and a calendar.

Takes the policy, the calendar and timestamps, returns datetimes; never
touches the ORM or the clock, and knows nothing of tickets (the ticket
clocks in ``tickets.clocks`` apply these rules to a ticket's columns).

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
from typing import TYPE_CHECKING

from servicedesk.lib.business_hours import (
    CalendarData,
    add_working_seconds,
    always_open,
    working_seconds_between,
)

if TYPE_CHECKING:
    from sla.models import SlaPolicy


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
    def of(cls, row: SlaPolicy) -> Policy:
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
