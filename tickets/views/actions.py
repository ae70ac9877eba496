"""Actions on a ticket from its page: parse the form, call one service, redirect or re-render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tickets import forms, services
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket
from tickets.views.common import is_partial, signed_in_user, ticket_or_404, vary_on_htmx
from tickets.views.ticket import detail_context

# --- actions on a ticket ---------------------------------------------------------

ActionRunner = Callable[[HttpRequest, Ticket, dict[str, Any]], object]


def _act(
    request: HttpRequest,
    number: str,
    form_class: type[forms.StyledForm] | None,
    form_key: str | None,
    run: ActionRunner,
    success: str,
) -> HttpResponse:
    """Run one service for a POSTed form; on failure re-render the ticket with the error.

    403 when the user may not, 404 when they may not see the ticket, 409 when the
    state does not allow it, 400 with field errors when the input is wrong.
    """
    ticket = ticket_or_404(request, number)
    form = form_class(request.POST, request.FILES) if form_class else None
    status = 200
    error = ""
    if form is not None and not form.is_valid():
        status = 400
    else:
        try:
            run(request, ticket, form.cleaned_data if form is not None else {})
        except TicketNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            status, error = 409, str(exc)
        except ValidationError as exc:
            status = 400
            for field, errors in exc.message_dict.items():
                if form is not None and field in form.fields:
                    form.add_error(field, errors)
                else:
                    error = " ".join(errors)
        else:
            messages.success(request, success)
            url = reverse("tickets:detail", kwargs={"number": ticket.number})
            if is_partial(request):
                return HttpResponseClientRedirect(url)
            return redirect(url)
    ticket = ticket_or_404(request, number)
    extra = {form_key: form} if form_key and form is not None else {}
    context = detail_context(request, ticket, **extra)
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


def _action(
    form_class: type[forms.StyledForm] | None, form_key: str | None, success: Callable[[], str]
) -> Callable[[ActionRunner], Callable[..., HttpResponse]]:
    def decorate(run: ActionRunner) -> Callable[..., HttpResponse]:
        @vary_on_htmx
        @login_required
        @require_POST
        def view(request: HttpRequest, number: str) -> HttpResponse:
            return _act(request, number, form_class, form_key, run, success())

        view.__name__ = run.__name__
        view.__doc__ = run.__doc__
        return view

    return decorate


@_action(None, None, lambda: _("Ticket accepted. The requester has been told."))
def accept(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.accept_ticket(ticket.pk, actor=signed_in_user(request))


@_action(forms.DiagnoseForm, "diagnose_form", lambda: _("Diagnosis recorded."))
def diagnose(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.diagnose_ticket(ticket.pk, actor=signed_in_user(request), **data)


@_action(
    forms.ResolveForm, "resolve_form", lambda: _("Resolved. The requester is asked to verify.")
)
def resolve(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.resolve_ticket(ticket.pk, actor=signed_in_user(request), **data)


@_action(forms.VerifyForm, "verify_form", lambda: _("Thank you: the fix is confirmed."))
def verify(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.verify_ticket(ticket.pk, actor=signed_in_user(request), **data)


@_action(forms.RejectForm, "reject_form", lambda: _("The ticket goes back to the engineer."))
def reject(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.reject_fix(ticket.pk, actor=signed_in_user(request), **data)


@_action(None, None, lambda: _("Ticket closed."))
def close(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.close_ticket(ticket.pk, actor=signed_in_user(request))


@_action(forms.CancelForm, "cancel_form", lambda: _("Ticket cancelled."))
def cancel(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.cancel_ticket(ticket.pk, actor=signed_in_user(request), **data)


@_action(
    forms.RequestInfoForm,
    "info_form",
    lambda: _("Question sent; the ticket now waits on the requester."),
)
def request_info(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.request_info(ticket.pk, actor=signed_in_user(request), **data)


@_action(forms.ReplyForm, "reply_form", lambda: _("Message added."))
def reply(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.add_message(
        ticket.pk,
        actor=signed_in_user(request),
        body=data["body"],
        internal=data.get("internal", False),
        files=data.get("attachments", []),
    )


@_action(forms.PriorityForm, "priority_form", lambda: _("Priority changed."))
def change_priority(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.change_priority(ticket.pk, actor=signed_in_user(request), **data)


@_action(forms.AssignForm, "assign_form", lambda: _("Ticket assigned."))
def assign(request: HttpRequest, ticket: Ticket, data: dict[str, Any]) -> object:
    return services.assign_ticket(ticket.pk, actor=signed_in_user(request), **data)
