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

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from sla.calendars import policy_for
from sla.display import ClockView, running
from tickets import selectors as ticket_selectors
from tickets.choices import WORK_STATES, TicketState, WaitingOn
from tickets.models import Attachment, Ticket
from tickets.selectors_prepared import Prepared, Read
from tickets.views.common import blank_form
from vendors import cadence, permissions, selectors
from vendors.choices import CaseStatus
from vendors.forms import CaseCloseForm, CaseOpenForm, CaseUpdateForm
from vendors.models import VendorCase, VendorCaseUpdate

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


def _cases(ticket_id: int) -> QuerySet[VendorCase]:
    """``selectors.cases_of`` without its prefetches: each case with the ids of its evidence
    (files of the ticket, read with the page's file card)."""
    sent = VendorCase.evidence.through.objects.filter(vendorcase_id=OuterRef("pk"))
    return (
        VendorCase.objects.filter(ticket_id=ticket_id)
        .select_related("vendor", "opened_by", "closed_by")
        .annotate(evidence_ids=ArraySubquery(sent.values("attachment_id")))
        .order_by("opened_at", "pk")
    )


# The panel's two reads, compiled once per process (``tickets.selectors_prepared``): the
# cases, and every update of the ticket's cases.
_CASES = Prepared(_cases, int)
_UPDATES = Prepared(
    lambda ticket_id: (
        VendorCaseUpdate.objects.filter(case__ticket_id=ticket_id)
        .select_related("author")
        .order_by("created_at", "pk")
    ),
    int,
)


def _picked(files: list[Attachment], ids: list[int]) -> list[Attachment]:
    chosen = set(ids)
    return [f for f in files if f.pk in chosen]


def page_reads(ticket: Ticket, user: User) -> list[Read]:
    """What ``work_panel`` will read on the ticket page (``selectors_prepared.batched``):
    the updates too, read for nothing when the ticket has no case (one round trip)."""
    if not permissions.can_read_cases(user) or ticket.state == TicketState.SUBMITTED:
        return []
    return [(_CASES, (ticket.pk,)), (_UPDATES, (ticket.pk,))]


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The desk's view of the ticket's vendor cases (readers of internal notes only): two
    queries (the cases; their updates, when there are cases), their evidence among the
    ticket's files the page reads for its file card."""
    if not permissions.can_read_cases(user) or ticket.state == TicketState.SUBMITTED:
        return None  # a ticket nobody accepted yet never had a case: no query
    cases = _CASES.objects(ticket.pk)
    opening = may_open(ticket, user, cases)
    if not cases and not opening:
        return None
    updates: dict[int, list[VendorCaseUpdate]] = {}
    files: list[Attachment] = []
    if cases:
        for update in _UPDATES.objects(ticket.pk):
            updates.setdefault(update.case_id, []).append(update)
        files = ticket_selectors.files_shown(user, ticket)  # oldest first, as ``cases_of``
    now = timezone.now()
    can_work = permissions.can_work_cases(ticket, user)
    # The update and close forms are shown under an open case, to whoever works cases.
    working = can_work and any(c.status == CaseStatus.OPEN for c in cases)
    return {
        "ticket": ticket,
        "cases": [
            {
                "case": c,
                "clock": update_clock(c, now),
                "updates": updates.get(c.pk, []),
                "evidence": _picked(files, c.evidence_ids),  # type: ignore[attr-defined]
            }
            for c in cases
        ],
        "can_work": can_work,
        "open_form": CaseOpenForm(ticket=ticket, user=user) if opening else None,
        "update_form": blank_form(CaseUpdateForm) if working else None,
        "close_form": blank_form(CaseCloseForm) if working else None,
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
