"""One ticket: its page, the printable service report, its files."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import capabilities
from notifications import services as notification_services
from tickets import actions, forms, hooks, permissions, related, selectors, services, timeline
from tickets.attachments import clean_filename
from tickets.choices import SLA_EVENT_KINDS, EventKind, TicketState
from tickets.errors import TicketNotFound
from tickets.models import Ticket, TicketEvent
from tickets.notify import ticket_link
from tickets.selectors_prepared import Read, batched
from tickets.selectors_prepared import page_reads as registered_page_reads
from tickets.timeline import timeline_for
from tickets.verification import last_day_to_answer
from tickets.views.common import blank_form, signed_in_user, ticket_or_404

# --- one ticket -------------------------------------------------------------------


def detail_context(
    request: HttpRequest, ticket: Ticket, **forms_: forms.StyledForm
) -> dict[str, Any]:
    user = signed_in_user(request)
    caps = capabilities(user)
    is_requester = permissions.is_requester_of(ticket, user)
    everything = request.GET.get("all") == "1"
    timeline = timeline_for(user, ticket, latest=None if everything else TIMELINE_LATEST)
    can = actions.available_actions(ticket, user)
    # Only the forms of the actions this viewer may take now: the page shows no other (each
    # is shown under ``allowed.<action>``), and a form costs ~0.1 ms to build; the empty ones
    # are shared by every request (``blank_form``).
    defaults: dict[str, forms.StyledForm | None] = {
        "diagnose_form": blank_form(forms.DiagnoseForm) if can["diagnose"] else None,
        "resolve_form": blank_form(forms.ResolveForm) if can["resolve"] else None,
        "verify_form": blank_form(forms.VerifyForm) if can["verify"] else None,
        "reject_form": blank_form(forms.RejectForm) if can["reject_fix"] else None,
        "cancel_form": blank_form(forms.CancelForm) if can["cancel"] else None,
        "info_form": blank_form(forms.RequestInfoForm) if can["request_info"] else None,
        "reply_form": blank_form(forms.ReplyForm) if can["reply"] else None,
        "priority_form": (
            blank_form(forms.PriorityForm, initial={"priority": ticket.priority})
            if can["priority"]
            else None
        ),
        "assign_form": forms.AssignForm(ticket=ticket) if can["assign"] else None,
    }
    defaults.update(forms_)
    return {
        "panels": hooks.panels(ticket, user, "work", "requester", "main"),
        "rejection": last_rejection(ticket, timeline.last_fix) if caps.view_all else None,
        "confirm_by": last_day_to_answer(ticket) if can["verify"] else None,
        "ticket": ticket,
        "events": timeline.events,
        "earlier_events": timeline.earlier,
        "sla_events": timeline.sla_events,
        # The card shows each file's name, size and visibility: no uploader, no ticket again.
        "attachments": selectors.files_shown(user, ticket),
        "is_requester": is_requester,
        "work_view": caps.view_all,
        "allowed": can,
        **defaults,
    }


# A long history opens on its latest entries; the rest is one click away (``?all=1``).
TIMELINE_LATEST = 50


def last_rejection(ticket: Ticket, last_fix: TicketEvent | None) -> TicketEvent | None:
    """The requester's rejection the engineer has not yet answered with a new fix."""
    if ticket.state != TicketState.DIAGNOSED or last_fix is None:
        return None
    return last_fix if last_fix.kind == EventKind.FIX_REJECTED else None


def page_reads(request: HttpRequest, ticket: Ticket) -> list[Read]:
    """The reads the page will make once it has the ticket, to run in one round trip
    (``selectors_prepared.batched``): the timeline, the files, the followers, the links,
    the duplicates and the canned replies, and what the panels' apps registered."""
    user = signed_in_user(request)
    caps = capabilities(user)
    internal = caps.view_internal
    reads: list[Read] = [
        (selectors.FILES[internal], (ticket.pk,)),
        (selectors.WATCHERS, (ticket.pk,)),
        (related.LINKS, (ticket.pk,)),
    ]
    if request.GET.get("all") != "1":
        reads.append((timeline.WINDOW[internal], (ticket.pk, TIMELINE_LATEST)))
    if permissions.can_use_canned_replies(user):
        reads.append((selectors.CANNED_TITLES, (user.pk,)))
    if caps.view_all and permissions.limited_sites(user) is None:
        reads.append((related.DUPLICATES_FOR_STAFF, (ticket.pk,)))
    return [*reads, *registered_page_reads(ticket, user)]


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    # Reading the ticket reads what the viewer was told about it (a GET that writes, as a
    # mail client marks a message read by opening it); the bell on this page shows the rest.
    notification_services.mark_read_for_link(signed_in_user(request), ticket_link(ticket))
    with batched(page_reads(request, ticket)):
        return render(request, "tickets/detail.html", detail_context(request, ticket))


@login_required
@require_GET
def service_report(request: HttpRequest, number: str) -> HttpResponse:
    """The printable service report (R6.1)."""
    ticket = ticket_or_404(request, number)
    events = [
        e
        for e in selectors.events_for(signed_in_user(request), ticket)
        if e.kind not in SLA_EVENT_KINDS
    ]
    panels = hooks.panels(ticket, signed_in_user(request), "report")
    return render(
        request, "tickets/report.html", {"ticket": ticket, "events": events, "panels": panels}
    )


@login_required
@require_GET
def download_attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """Files leave only through here: permission-checked, as a download, never sniffed; a
    download by someone outside the ticket's site is logged on its timeline (R7.2)."""
    user = signed_in_user(request)
    try:
        attachment = selectors.get_attachment_for(user, number, attachment_id)
    except TicketNotFound:
        raise Http404 from None
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    services.record_download(attachment, actor=user)
    response = FileResponse(
        handle,
        as_attachment=True,
        # Cleaned again here: the header must not carry CR/LF or quotes whatever the row holds.
        filename=clean_filename(attachment.original_name),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
