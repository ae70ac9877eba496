"""How a ticket's two SLA clocks read on its page and in the queue."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from sla.display import ClockView, duration_text, running
from tickets.choices import ClosedAs, TicketState
from tickets.models import Ticket


def response_clock(ticket: Ticket, now: dt.datetime) -> ClockView:
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
    return running(name, due, ticket.response_warn_at, now)


def resolution_clock(ticket: Ticket, now: dt.datetime) -> ClockView:
    name = _("Resolution")
    due = ticket.resolution_due_at
    if due is None:
        return ClockView(name, "stopped", None, _("no deadline"), "bg-secondary-lt")
    finished = ticket.state in (TicketState.RESOLVED, TicketState.VERIFIED) or (
        ticket.state == TicketState.CLOSED and ticket.closed_as == ClosedAs.COMPLETED
    )
    if finished:
        if ticket.resolution_breached_at:
            return ClockView(name, "late", due, _("resolved late"), "bg-red-lt")
        return ClockView(name, "met", due, _("resolved in time"), "bg-green-lt")
    if ticket.state == TicketState.CLOSED:
        return ClockView(name, "stopped", due, _("cancelled"), "bg-secondary-lt")
    if ticket.sla_paused_at:
        return ClockView(name, "paused", due, _("paused"), "bg-yellow-lt")
    return running(name, due, ticket.resolution_warn_at, now)


def queue_clock(ticket: Ticket, now: dt.datetime) -> ClockView:
    """The clock that matters now in the queue: response while unaccepted, then resolution."""
    if ticket.state == TicketState.SUBMITTED:
        return response_clock(ticket, now)
    return resolution_clock(ticket, now)
