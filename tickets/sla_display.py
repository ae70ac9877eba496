"""How an SLA clock reads to a person: due when, time left or late by, paused or not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tickets.choices import TicketState


def duration_text(seconds: int) -> str:
    """``1 h 5 min`` / ``12 min`` / ``2 d 3 h``, rounded to the minute."""
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}


@dataclass(frozen=True)
class ClockView:
    name: str
    status: str  # running, warning, breached, paused, met, late, stopped
    due_at: dt.datetime | None
    text: str
    css: str


def _running(name: str, due: dt.datetime, warn: dt.datetime | None, now: dt.datetime) -> ClockView:
    left = int((due - now).total_seconds())
    if left < 0:
        return ClockView(name, "breached", due, _("late by %s") % duration_text(-left), "bg-red-lt")
    if warn and now >= warn:
        return ClockView(name, "warning", due, _("due in %s") % duration_text(left), "bg-orange-lt")
    return ClockView(name, "running", due, _("due in %s") % duration_text(left), "bg-green-lt")


def response_clock(ticket: Any, now: dt.datetime) -> ClockView:
    name = _("Response")
    due = ticket.response_due_at
    if due is None:
        return ClockView(name, "stopped", None, _("no deadline"), "bg-secondary-lt")
    if ticket.accepted_at:
        late = int((ticket.accepted_at - due).total_seconds())
        if late > 0:
            return ClockView(
                name, "late", due, _("responded %s late") % duration_text(late), "bg-red-lt"
            )
        return ClockView(name, "met", due, _("responded in time"), "bg-green-lt")
    if ticket.state != TicketState.SUBMITTED:
        return ClockView(name, "stopped", due, _("stopped"), "bg-secondary-lt")
    return _running(name, due, ticket.response_warn_at, now)


def resolution_clock(ticket: Any, now: dt.datetime) -> ClockView:
    name = _("Resolution")
    due = ticket.resolution_due_at
    if due is None:
        return ClockView(name, "stopped", None, _("no deadline"), "bg-secondary-lt")
    finished = ticket.state in (TicketState.RESOLVED, TicketState.VERIFIED) or (
        ticket.state == TicketState.CLOSED and ticket.closed_as == "completed"
    )
    if finished:
        if ticket.resolution_breached_at:
            return ClockView(name, "late", due, _("resolved late"), "bg-red-lt")
        return ClockView(name, "met", due, _("resolved in time"), "bg-green-lt")
    if ticket.state == TicketState.CLOSED:
        return ClockView(name, "stopped", due, _("cancelled"), "bg-secondary-lt")
    if ticket.sla_paused_at:
        return ClockView(name, "paused", due, _("paused"), "bg-yellow-lt")
    return _running(name, due, ticket.resolution_warn_at, now)


def queue_clock(ticket: Any, now: dt.datetime) -> ClockView:
    """The clock that matters now in the queue: response while unaccepted, then resolution."""
    if ticket.state == TicketState.SUBMITTED:
        return response_clock(ticket, now)
    return resolution_clock(ticket, now)
