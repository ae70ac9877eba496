"""Holds on a third party: the ticket waits on a vendor and its resolution clock pauses.

The vendor hold works exactly like the requester hold of ``conversation.request_info``:
``waiting_on`` says who is awaited and ``clocks.pause`` stops the resolution clock; ending
the hold resumes it and ``clocks.resume`` moves the deadline by exactly the working time
held. Each change writes its ``sla_paused`` / ``sla_resumed`` timeline entry, which the
ticket's SLA explanation reads.

These are steps of a feature's service (``vendors.services``), not services of their own:
the caller has opened the transaction, locked the ticket row (``base.lock``) and checked
who may act; they change and save the locked row only.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from tickets import clocks
from tickets.choices import EventKind, WaitingOn
from tickets.models import Ticket
from tickets.services import base

# The reasons the SLA explanation names (templates/tickets/partials/_sla.html).
VENDOR_HOLD = "waiting_on_vendor"
VENDOR_RELEASED = "vendor_case_closed"


def hold_for_vendor(ticket: Ticket, *, actor: User, now: dt.datetime) -> None:
    """The ticket waits on a vendor from ``now``; the resolution clock pauses (unless it
    is paused already)."""
    ticket.waiting_on = WaitingOn.VENDOR
    ticket.last_activity_at = now
    paused = clocks.pause(ticket, now, VENDOR_HOLD)
    ticket.save(update_fields=["waiting_on", "last_activity_at", *clocks.SLA_FIELDS])
    if paused:
        base.record(ticket, EventKind.SLA_PAUSED, actor=actor, now=now, data=paused)


def release_vendor_hold(ticket: Ticket, *, actor: User, now: dt.datetime) -> None:
    """The vendor no longer holds the ticket up: it waits on nobody and the resolution
    clock resumes, its deadline moved by the working time held. Nothing changes on a
    ticket that was not waiting on a vendor (another hold ended it, or it was closed)."""
    if ticket.waiting_on != WaitingOn.VENDOR:
        return
    ticket.waiting_on = WaitingOn.NONE
    ticket.last_activity_at = now
    resumed = clocks.resume(ticket, now, VENDOR_RELEASED)
    ticket.save(update_fields=["waiting_on", "last_activity_at", *clocks.SLA_FIELDS])
    if resumed:
        base.record(ticket, EventKind.SLA_RESUMED, actor=actor, now=now, data=resumed)
