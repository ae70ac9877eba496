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

A priority change applies the re-triage rule of the NEW priority's policy
(``Policy.retriage_rule``): ``from_submission`` recomputes both clocks from the
filing time as above (and may leave a deadline in the past); ``restart``
restarts every clock not yet met from the moment of the change with the new
budget (``restarted``), except that a lowered priority never makes a deadline
earlier than the one already promised (``keep_promise``).
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
from sla.choices import Priority, RetriageRule

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
    retriage_rule: str = RetriageRule.RESTART

    @classmethod
    def of(cls, row: SlaPolicy) -> Policy:
        return cls(
            priority=row.priority,
            respond_minutes=row.respond_minutes,
            respond_24x7=row.respond_24x7,
            resolve_minutes=row.resolve_minutes,
            resolve_24x7=row.resolve_24x7,
            warn_percent=row.warn_percent,
            retriage_rule=row.retriage_rule,
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


@dataclass(frozen=True)
class Target:
    """One clock's promise: when it is due, and when it warns (``warn_percent`` of the way)."""

    due_at: dt.datetime
    warn_at: dt.datetime


def response_target(start: dt.datetime, policy: Policy, calendar: CalendarData) -> Target:
    """The response clock's target when it starts (or restarts) at ``start``."""
    respond = policy.respond_minutes * 60
    cal = response_calendar(policy, calendar)
    return Target(
        due_at=add_working_seconds(start, respond, cal),
        warn_at=add_working_seconds(start, respond * policy.warn_percent // 100, cal),
    )


def resolution_target(
    start: dt.datetime, policy: Policy, calendar: CalendarData, held_seconds: int = 0
) -> Target:
    """The resolution clock's target when it starts (or restarts) at ``start``, moved by
    ``held_seconds`` of working time on hold since then."""
    resolve = policy.resolve_minutes * 60
    cal = resolution_calendar(policy, calendar)
    return Target(
        due_at=add_working_seconds(start, resolve + held_seconds, cal),
        warn_at=add_working_seconds(
            start, resolve * policy.warn_percent // 100 + held_seconds, cal
        ),
    )


def deadlines(
    *, submitted_at: dt.datetime, held_seconds: int, policy: Policy, calendar: CalendarData
) -> Deadlines:
    """Due and warning times of both clocks."""
    response = response_target(submitted_at, policy, calendar)
    resolution = resolution_target(submitted_at, policy, calendar, held_seconds)
    return Deadlines(
        response_due_at=response.due_at,
        response_warn_at=response.warn_at,
        resolution_due_at=resolution.due_at,
        resolution_warn_at=resolution.warn_at,
    )


def moved_by_hold(target: Target, held_seconds: int, calendar: CalendarData) -> Target:
    """A running clock's target after ``held_seconds`` of working time on hold: both times
    move by exactly that much (``add(add(t, a), b) == add(t, a + b)``)."""
    if held_seconds <= 0:
        return target
    return Target(
        due_at=add_working_seconds(target.due_at, held_seconds, calendar),
        warn_at=add_working_seconds(target.warn_at, held_seconds, calendar),
    )


# --- re-triage: a priority change ---------------------------------------------------------

_RANK: dict[str, int] = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2}

# What a priority change did to one clock (kept in the ``sla_recalculated`` event).
RESTARTED = "restarted"  # restarted at the change with the new budget
KEPT = "kept"  # lowered: the restarted deadline would have been earlier, the promise stands
RECALCULATED = "recalculated"  # from_submission: recomputed from the filing time
DONE = "done"  # already met (or stopped): untouched


def is_lowered(old_priority: str, new_priority: str) -> bool:
    return _RANK.get(new_priority, 0) < _RANK.get(old_priority, 0)


def restart(old: Target | None, restarted: Target, *, lowered: bool) -> tuple[Target, str]:
    """The ``restart`` rule for one clock not yet met: the target restarted at the change,
    but a lowered priority never shortens a running clock below what was already
    promised (the later of the two deadlines wins, with its own warning time)."""
    if lowered and old is not None and old.due_at > restarted.due_at:
        return old, KEPT
    return restarted, RESTARTED


def elapsed_seconds(
    start: dt.datetime, at: dt.datetime, calendar: CalendarData, held_seconds: int = 0
) -> int:
    """Working time a clock has run from ``start`` to ``at``, time on hold left out."""
    return max(0, working_seconds_between(start, at, calendar) - held_seconds)


def held_between(
    paused_at: dt.datetime, resumed_at: dt.datetime, policy: Policy, calendar: CalendarData
) -> int:
    """Working seconds of a pause, on the resolution clock's calendar."""
    return working_seconds_between(paused_at, resumed_at, resolution_calendar(policy, calendar))
