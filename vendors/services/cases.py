"""Vendor cases on a ticket: open, record what the vendor said, close; and the cadence's
reaction to a public update from staff.

Opening a case puts the ticket on hold exactly like a question to the requester
(``tickets.services.holds``): it waits on the vendor and the resolution clock pauses.
While the case is open the requester must hear about progress every 2 hours of the
ticket's SLA calendar (``vendors.cadence``); the sweep (``vendors.obligations``) reminds
the engineer and then the tech leads. Closing the case ends the hold and the clock
resumes, its deadline moved by the working time the case was open.

One case is open per ticket at a time: ``waiting_on`` names one party and the hold is
one pause of the clock, so a second supplier is a second case after the first one closes.

Each service is a straight line: atomic → lock the ticket → visible (404) → permitted
(403) → allowed now (409) → validate (400, the field named) → change → save → event →
notify. The ticket row is locked first, then the case row; the sweep locks case rows
only, so the two never wait on each other in a circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.choices import WORK_STATES, WaitingOn
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Attachment, Ticket
from tickets.services import add_message, base, hold_for_vendor, release_vendor_hold
from vendors import cadence, notify, permissions
from vendors.choices import CaseEntry, CaseStatus
from vendors.errors import CaseNotFound
from vendors.models import Vendor, VendorCase, VendorCaseUpdate


def _check_worker(ticket: Ticket, actor: User) -> None:
    if not permissions.can_work_cases(ticket, actor):
        raise ActionForbidden(
            _("Only the engineer handling this ticket, or a tech lead, works its vendor cases.")
        )


def _locked_case(ticket: Ticket, case_id: int, actor: User) -> VendorCase:
    """The ticket's case, locked; 404 when it is not this ticket's or not the actor's to read
    (a requester learns nothing about cases)."""
    case = (
        VendorCase.objects.select_for_update(no_key=True, of=("self",))
        .select_related("vendor")
        .filter(pk=case_id, ticket_id=ticket.pk)
        .first()
    )
    if case is None or not permissions.can_read_cases(actor):
        raise CaseNotFound
    return case


def _vendor(value: object) -> Vendor:
    try:
        vendor_id = int(str(value))
    except (TypeError, ValueError):
        vendor_id = 0
    vendor = Vendor.objects.filter(pk=vendor_id, is_active=True).first() if vendor_id > 0 else None
    if vendor is None:
        raise ValidationError({"vendor": _("Choose one of the vendors in the list.")})
    return vendor


def _evidence(ticket: Ticket, values: Sequence[object]) -> list[Attachment]:
    """The ticket's own files, by id; anything else names the field."""
    try:
        ids = {int(str(v)) for v in values}
    except (TypeError, ValueError):
        ids = {-1}
    found = list(Attachment.objects.filter(ticket_id=ticket.pk, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"evidence": _("Choose files of this ticket.")})
    return found


def open_case(
    ticket_id: int,
    *,
    actor: User,
    vendor: object,
    summary: str,
    vendor_reference: str = "",
    evidence: Sequence[object] = (),
) -> VendorCase:
    """Open a case with ``vendor`` (an active vendor's id): the ticket waits on the vendor,
    its resolution clock pauses, the requester hears who holds the ticket up, and the
    first update to the requester falls due 2 hours (of the ticket's calendar) from now."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        _check_worker(ticket, actor)
        if ticket.state not in WORK_STATES:
            raise InvalidTransition(
                _("A vendor case is opened on an accepted or diagnosed ticket.")
            )
        if ticket.waiting_on == WaitingOn.REQUESTER:
            raise InvalidTransition(
                _("The ticket is waiting on the requester's answer; open the case once they reply.")
            )
        if VendorCase.objects.filter(ticket_id=ticket.pk, status=CaseStatus.OPEN).exists():
            raise InvalidTransition(
                _("A vendor case is open on this ticket already; close it before opening another.")
            )
        chosen = _vendor(vendor)
        reference = base.text(
            "vendor_reference",
            vendor_reference,
            model=VendorCase,
            required=False,
            single_line=True,
        )
        cleaned = base.text("summary", summary, model=VendorCase)
        files = _evidence(ticket, evidence)
        due = cadence.next_update_due(now, cadence.calendar_of(ticket.priority, ticket.site_id))
        case = VendorCase.objects.create(
            ticket=ticket,
            vendor=chosen,
            vendor_reference=reference,
            summary=cleaned,
            opened_by=actor,
            opened_at=now,
            last_update_at=now,
            next_update_due_at=due,
            next_check_at=due,
        )
        case.evidence.set(files)
        event = base.record(
            ticket,
            CaseEntry.OPENED,
            actor=actor,
            now=now,
            data={"case": case.pk, "vendor": chosen.name},
        )
        hold_for_vendor(ticket, actor=actor, now=now)
        notify.case_opened(ticket, case, event)
    return case


def record_update(
    ticket_id: int, case_id: int, *, actor: User, body: str, share: bool = False
) -> VendorCaseUpdate:
    """Keep what the vendor said on the case (an internal timeline entry). ``share`` also
    sends it to the requester as a public reply, which is the 2-hourly update itself."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        _check_worker(ticket, actor)
        case = _locked_case(ticket, case_id, actor)
        if case.status != CaseStatus.OPEN:
            raise InvalidTransition(_("This vendor case is closed."))
        cleaned = base.text("body", body, model=VendorCaseUpdate)
        update = VendorCaseUpdate.objects.create(
            case=case, author=actor, body=cleaned, created_at=now
        )
        base.record(
            ticket,
            CaseEntry.UPDATE_RECORDED,
            actor=actor,
            now=now,
            data={"case": case.pk, "vendor": case.vendor.name, "body": cleaned},
            is_internal=True,
        )
        if share:  # a public reply: tickets.hooks.public_update moves the next due time
            add_message(ticket.pk, actor=actor, body=cleaned)
    return update


def close_case(ticket_id: int, case_id: int, *, actor: User, outcome: str = "") -> VendorCase:
    """End the case (an optional outcome note): the hold ends and the resolution clock
    resumes, its deadline moved by the working time the case was open. A case left open
    on a ticket that was cancelled or merged meanwhile may still be closed."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        _check_worker(ticket, actor)
        case = _locked_case(ticket, case_id, actor)
        if case.status != CaseStatus.OPEN:
            raise InvalidTransition(_("This vendor case is closed already."))
        note = base.text("outcome", outcome, model=VendorCase, source="close_note", required=False)
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        case.closed_by = actor
        case.close_note = note
        case.next_update_due_at = None
        case.next_check_at = None
        case.save(
            update_fields=[
                "status",
                "closed_at",
                "closed_by",
                "close_note",
                "next_update_due_at",
                "next_check_at",
            ]
        )
        base.record(
            ticket,
            CaseEntry.CLOSED,
            actor=actor,
            now=now,
            data={"case": case.pk, "vendor": case.vendor.name},
        )
        release_vendor_hold(ticket, actor=actor, now=now)
    return case


def note_public_update(ticket: Ticket, at: dt.datetime) -> int:
    """Staff told the requester something at ``at`` (a public reply, a public work-log
    entry): that is the update the cadence asks for, so each open case of the ticket is
    next due 2 hours (of the ticket's calendar) after it. Called inside the writing
    service's transaction, with the ticket row locked; how many cases moved."""
    due = cadence.next_update_due(at, cadence.calendar_of(ticket.priority, ticket.site_id))
    return VendorCase.objects.filter(ticket_id=ticket.pk, status=CaseStatus.OPEN).update(
        last_update_at=at, next_update_due_at=due, next_check_at=due
    )
