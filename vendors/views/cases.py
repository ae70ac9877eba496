"""The ticket page's vendor-case actions: open a case, record what the vendor said, close it.

The panel (``templates/vendors/partials/cases_panel.html``) posts plain forms here. Success
goes back to the ticket; a refusal re-renders the ticket page with the error beside its
field (400) or above the page (409), like every action on the page; someone who may not
act gets 403, someone who may not see the ticket 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from tickets.forms import StyledForm
from tickets.models import Ticket
from tickets.views.common import run_form, signed_in_user, ticket_or_404
from tickets.views.ticket import detail_context
from vendors import panels, permissions, services
from vendors.forms import CaseCloseForm, CaseOpenForm, CaseUpdateForm


def _back(ticket: Ticket) -> HttpResponse:
    return redirect(reverse("tickets:detail", kwargs={"number": ticket.number}) + "#vendor-cases")


def _act(
    request: HttpRequest,
    number: str,
    form: StyledForm,
    form_key: str,
    run: Callable[[Ticket, User, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """Run one case service with the form's data; on refusal re-render the ticket page."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    if not permissions.can_work_cases(ticket, actor):  # before the input: 403, not 400
        raise PermissionDenied(
            _("Only the engineer handling this ticket, or a tech lead, works its vendor cases.")
        )
    refused = run_form(form, lambda data: run(ticket, actor, data))
    if refused is None:
        messages.success(request, success)
        return _back(ticket)
    context = detail_context(request, ticket_or_404(request, number))
    for shown in context["panels"].get("work", []):
        if shown.name == panels.PANEL:
            shown.context[form_key] = form
    context["action_error"] = refused.error
    return render(request, "tickets/detail.html", context, status=refused.status)


@login_required
@require_POST
def case_open(request: HttpRequest, number: str) -> HttpResponse:
    ticket = ticket_or_404(request, number)
    user = signed_in_user(request)
    form = CaseOpenForm(request.POST, ticket=ticket, user=user)
    return _act(
        request,
        number,
        form,
        "open_form",
        lambda t, actor, data: services.open_case(
            t.pk,
            actor=actor,
            vendor=data["vendor"].pk,
            vendor_reference=data["vendor_reference"],
            summary=data["summary"],
            evidence=[a.pk for a in data["evidence"]],
        ),
        _("Vendor case opened: the ticket waits on the vendor; its resolution clock is paused."),
    )


@login_required
@require_POST
def case_update(request: HttpRequest, number: str, case_id: int) -> HttpResponse:
    return _act(
        request,
        number,
        CaseUpdateForm(request.POST),
        "update_form",
        lambda t, actor, data: services.record_update(
            t.pk, case_id, actor=actor, body=data["body"], share=data["share"]
        ),
        _("Vendor update recorded."),
    )


@login_required
@require_POST
def case_close(request: HttpRequest, number: str, case_id: int) -> HttpResponse:
    return _act(
        request,
        number,
        CaseCloseForm(request.POST),
        "close_form",
        lambda t, actor, data: services.close_case(
            t.pk, case_id, actor=actor, outcome=data["outcome"]
        ),
        _("Vendor case closed: the resolution clock runs again."),
    )
