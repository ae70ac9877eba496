"""What the vendors app shows on the ticket page (``tickets.hooks`` panels) and timeline.

* ``work`` (the engineer's side column): the ticket's vendor cases with their next
  update due (a countdown like the SLA badges, red once overdue), the vendor's updates,
  and the forms to open, update and close a case for whoever works them.
* ``main`` (for the requester and followers): while the ticket waits on a vendor, which
  vendor and the promise of an update every 2 hours — nothing of the desk's dealings
  with the vendor (reference, summary, updates) is shown there.

Each context function runs a fixed number of queries however many cases, updates and
files the ticket has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sla.calendars import policy_for
from sla.display import ClockView, running
from tickets.choices import WORK_STATES, TicketState, WaitingOn
from tickets.models import Ticket
from vendors import cadence, permissions, selectors
from vendors.choices import CaseStatus
from vendors.forms import CaseCloseForm, CaseOpenForm, CaseUpdateForm
from vendors.models import VendorCase

PANEL = "vendor_cases"
NOTE = "vendor_wait"


def update_clock(case: VendorCase, now: dt.datetime) -> ClockView | None:
    """The open case's next update as the SLA badges read: due in …, then late by …
    (amber in its last half hour, red once overdue)."""
    due = case.next_update_due_at
    if case.status != CaseStatus.OPEN or due is None:
        return None
    return running(_("Next update to the requester"), due, due - cadence.OVERDUE_AFTER, now)


def may_open(ticket: Ticket, user: User, cases: list[VendorCase]) -> bool:
    return (
        permissions.can_work_cases(ticket, user)
        and ticket.state in WORK_STATES
        and ticket.waiting_on != WaitingOn.REQUESTER
        and not any(c.status == CaseStatus.OPEN for c in cases)
    )


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The desk's view of the ticket's vendor cases (readers of internal notes only)."""
    if not permissions.can_read_cases(user) or ticket.state == TicketState.SUBMITTED:
        return None  # a ticket nobody accepted yet never had a case: no query
    cases = list(selectors.cases_of(ticket))
    opening = may_open(ticket, user, cases)
    if not cases and not opening:
        return None
    now = timezone.now()
    can_work = permissions.can_work_cases(ticket, user)
    # The update and close forms are shown under an open case, to whoever works cases.
    working = can_work and any(c.status == CaseStatus.OPEN for c in cases)
    return {
        "ticket": ticket,
        "cases": [{"case": c, "clock": update_clock(c, now)} for c in cases],
        "can_work": can_work,
        "open_form": CaseOpenForm(ticket=ticket, user=user) if opening else None,
        "update_form": CaseUpdateForm() if working else None,
        "close_form": CaseCloseForm() if working else None,
        "can_manage_vendors": permissions.can_manage_vendors(user),
        "round_the_clock": policy_for(ticket.priority).resolve_24x7,
    }


def waiting_note(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the requester and followers while the ticket waits on a vendor: who, and the
    promise of progress every 2 hours (one query, only while the ticket waits)."""
    if ticket.waiting_on != WaitingOn.VENDOR or permissions.can_read_cases(user):
        return None
    case = selectors.open_case_of(ticket)
    if case is None:
        return None
    due = case.next_update_due_at
    return {
        "vendor": case.vendor.name,
        "since": case.opened_at,
        "next_update_at": due if due and due > timezone.now() else None,
        "round_the_clock": policy_for(ticket.priority).resolve_24x7,
    }
