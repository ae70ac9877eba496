"""The ticket page's related-tickets card and reopening: link, unlink, merge, reopen.

Each view parses its form and calls one service; on success it goes (back) to a ticket
page with a message, on failure it shows the ticket page again with the error: 404 not
visible, 403 not allowed, 409 not in this state, 400 with the field's error. Merging asks
first: the form's number is checked and a confirmation page names both tickets.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tickets import services
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.forms import StyledForm
from tickets.link_forms import LinkForm, MergeForm, ReopenForm
from tickets.models import Ticket
from tickets.views.common import is_partial, signed_in_user, ticket_or_404, vary_on_htmx
from tickets.views.ticket import detail_context

# A service call for a valid form: returns the number of the ticket page to go to.
Runner = Callable[[Ticket, dict[str, str]], str]


def _go(request: HttpRequest, number: str, success: str) -> HttpResponse:
    messages.success(request, success)
    url = reverse("tickets:detail", kwargs={"number": number})
    return HttpResponseClientRedirect(url) if is_partial(request) else redirect(url)


def _again(
    request: HttpRequest, number: str, form_key: str, form: StyledForm, status: int, error: str
) -> HttpResponse:
    """The ticket page again, with the form's errors (or ``error`` above it)."""
    ticket = ticket_or_404(request, number)
    context = detail_context(request, ticket, **{form_key: form})
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


def _submit(
    request: HttpRequest, number: str, form: StyledForm, form_key: str, run: Runner
) -> HttpResponse | str:
    """Validate and run; the number of the ticket to go to on success, else the page with
    the error. Domain errors map as everywhere (404 / 403 / 409 / 400)."""
    ticket = ticket_or_404(request, number)
    if not form.is_valid():
        return _again(request, number, form_key, form, 400, "")
    try:
        return run(ticket, form.cleaned_data)
    except TicketNotFound:
        raise Http404 from None
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _again(request, number, form_key, form, 409, str(exc))
    except ValidationError as exc:
        error = ""
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                error = " ".join(errors)
        return _again(request, number, form_key, form, 400, error)


@vary_on_htmx
@login_required
@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    """Link another ticket as related (engineers, tech leads)."""

    def run(ticket: Ticket, data: dict[str, str]) -> str:
        services.link_tickets(ticket.pk, actor=signed_in_user(request), other=data["ticket"])
        return ticket.number

    done = _submit(request, number, LinkForm(request.POST), "link_form", run)
    if isinstance(done, HttpResponse):
        return done
    return _go(request, done, _("Tickets linked."))


@vary_on_htmx
@login_required
@require_POST
def unlink(request: HttpRequest, number: str) -> HttpResponse:
    """Remove the link to another ticket (engineers, tech leads)."""

    def run(ticket: Ticket, data: dict[str, str]) -> str:
        services.unlink_tickets(ticket.pk, actor=signed_in_user(request), other=data["ticket"])
        return ticket.number

    done = _submit(request, number, LinkForm(request.POST), "link_form", run)
    if isinstance(done, HttpResponse):
        return done
    return _go(request, done, _("Link removed."))


@vary_on_htmx
@login_required
@require_POST
def merge(request: HttpRequest, number: str) -> HttpResponse:
    """Mark this ticket as a duplicate of another: first a confirmation page naming both
    tickets (nothing changes), then, with ``confirm``, the merge; on to the survivor."""
    form = MergeForm(request.POST)
    user = signed_in_user(request)
    confirmed = request.POST.get("confirm") in ("1", "true", "True", "on", "yes")

    def run(ticket: Ticket, data: dict[str, str]) -> str:
        if confirmed:
            return services.merge_ticket(ticket.pk, actor=user, into=data["into"]).number
        return services.check_merge(ticket.pk, actor=user, into=data["into"]).number

    done = _submit(request, number, form, "merge_form", run)
    if isinstance(done, HttpResponse):
        return done
    survivor_number = done
    if confirmed:
        return _go(
            request,
            survivor_number,
            _("%(number)s was merged into this ticket and closed as a duplicate.")
            % {"number": number},
        )
    duplicate = ticket_or_404(request, number)
    survivor = ticket_or_404(request, survivor_number)
    context = {"duplicate": duplicate, "survivor": survivor}
    return render(request, "tickets/merge_confirm.html", context)


@vary_on_htmx
@login_required
@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    """The requester (or a tech lead) reopens a finished ticket, with a reason."""

    def run(ticket: Ticket, data: dict[str, str]) -> str:
        services.reopen_ticket(ticket.pk, actor=signed_in_user(request), reason=data["reason"])
        return ticket.number

    done = _submit(request, number, ReopenForm(request.POST), "reopen_form", run)
    if isinstance(done, HttpResponse):
        return done
    return _go(request, done, _("Ticket reopened; the engineer has been told."))
