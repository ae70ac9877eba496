"""Filing a ticket: the requester's form and an engineer logging a call; the home redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import capabilities
from tickets import forms, hooks, related, services
from tickets.choices import Channel
from tickets.models import Ticket
from tickets.views import callers
from tickets.views.common import signed_in_user


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    can = capabilities(signed_in_user(request))
    # A manager (reads the reports, works no queue) lands on the reports' dashboard;
    # engineers and tech leads keep the queue. Named by URL, so tickets imports no reports.
    if can.view_reports and not can.work_queue:
        return redirect("reports:dashboard")
    if can.view_all:
        return redirect("tickets:queue")
    return redirect("tickets:mine")


# --- filing ---------------------------------------------------------------------


def _file_ticket(
    request: HttpRequest,
    form: forms.TicketForm,
    *,
    channel: str,
    follow_up_of: Ticket | None = None,
) -> Ticket | None:
    """Submit through the service (linked as a follow-up of ``follow_up_of`` when given);
    a service-level field error lands on the form."""
    data = dict(form.cleaned_data)
    files = data.pop("attachments", [])
    try:
        if follow_up_of is not None:
            return services.submit_follow_up(
                follow_up_of.pk, actor=signed_in_user(request), files=files, channel=channel, **data
            )
        return services.submit_ticket(
            actor=signed_in_user(request), files=files, channel=channel, **data
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


def _filed_message(ticket: Ticket) -> str:
    """The promise, in plain words: the number and when an engineer will respond."""
    due = ticket.response_due_at
    if due is None:
        return _("Ticket %(number)s has been filed.") % {"number": ticket.number}
    local = timezone.localtime(due)
    when = (
        local.strftime("%H:%M")
        if local.date() == timezone.localdate()
        else local.strftime("%Y-%m-%d %H:%M")
    )
    return _("Ticket %(number)s has been filed. An engineer will respond by %(when)s.") % {
        "number": ticket.number,
        "when": when,
    }


@login_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not capabilities(user).file_ticket:
        raise PermissionDenied
    # "Report a related problem" (?related=<number>): prefilled, and filed as its follow-up.
    origin = related.follow_up_of(user, request.GET.get("related", ""))
    initial = related.follow_up_initial(origin) if origin else None
    form = forms.TicketForm(
        request.POST or None, request.FILES or None, requester=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        ticket = _file_ticket(request, form, channel=Channel.WEB, follow_up_of=origin)
        if ticket:
            hooks.filed.send(sender=Ticket, ticket=ticket, actor=user, data=request.POST)
            messages.success(request, _filed_message(ticket))
            return redirect("tickets:detail", number=ticket.number)
    status = 400 if form.errors else 200
    context = {"form": form, "mode": "report", "nav": "new", "related": origin}
    context["asides"] = hooks.filing_asides(
        user, request.POST if request.method == "POST" else None
    )
    return render(request, "tickets/new.html", context, status=status)


@login_required
def log_call(request: HttpRequest) -> HttpResponse:
    """An engineer logs a call; the caller picker's own steps only re-render the form
    (``tickets.views.callers``)."""
    actor = signed_in_user(request)
    if not capabilities(actor).log_call:
        raise PermissionDenied
    form, picker = callers.call_page(request, actor)
    if form.is_bound and form.is_valid():
        ticket = _file_ticket(request, form, channel=Channel.PHONE)
        if ticket:
            messages.success(request, _("Call logged as %(number)s.") % {"number": ticket.number})
            return redirect("tickets:detail", number=ticket.number)
    status = 400 if form.errors else 200
    context = {"form": form, "mode": "call", "nav": "call", "picker": picker}
    return render(request, "tickets/new.html", context, status=status)
