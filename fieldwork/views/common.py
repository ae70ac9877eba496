"""What every field-work action does around its service: validate, run, map the service's
refusals to what people see (404, 403, 409, a form error), and come back to the ticket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tickets.models import Ticket
from tickets.views.common import run_form, ticket_or_404
from tickets.views.ticket import detail_context

# Puts the form with its errors into the panel context the page was built with.
Patch = Callable[[dict[str, Any]], None]
Runner = Callable[[Ticket, dict[str, Any]], object]


def at_top(key: str, form: forms.Form | None) -> Patch:
    """The panel shows ``form`` (with its errors) under ``key``, opened."""

    def patch(context: dict[str, Any]) -> None:
        if form is not None:
            context[key] = form
            context["open"] = key

    return patch


def again(
    request: HttpRequest, number: str, panel: str, patch: Patch, status: int, error: str = ""
) -> HttpResponse:
    """The ticket page again, with ``panel`` patched to show what was refused."""
    ticket = ticket_or_404(request, number)
    context = detail_context(request, ticket)
    for shown in (s for place in context["panels"].values() for s in place):
        if shown.name == panel:
            patch(shown.context)
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


def submit(
    request: HttpRequest,
    number: str,
    *,
    form: forms.Form | None,
    panel: str,
    patch: Patch,
    run: Runner,
    success: str,
    anchor: str,
) -> HttpResponse:
    """Validate ``form`` (if any) and run the service; back to the ticket on success."""
    ticket = ticket_or_404(request, number)
    refused = run_form(form, lambda data: run(ticket, data))
    if refused is not None:
        return again(request, number, panel, patch, refused.status, refused.error)
    messages.success(request, success)
    return redirect(reverse("tickets:detail", kwargs={"number": ticket.number}) + anchor)
