""" "Link to the ongoing incident" in one click: from the queue (the ticked tickets) and from
the work view of a ticket (that ticket).

The queue's bulk bar belongs to ``tickets``, which may not name this app: its button comes
from ``incidents.context_processors`` (``queue_bulk_extras``) and posts here with the
ticked numbers (``static/js/incident_link.js`` gathers them). Success goes back where the
person was (the queue with its filters, or the ticket) with what was linked; a refusal
re-renders that page with the error (400 bad input, 409 an incident that is over); someone
who may not link gets 403, an unknown incident or a ticket they may not see 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from incidents import permissions, selectors, services
from incidents.forms_review import LinkForm, LinkOneForm
from incidents.models import MajorIncident
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.filters import canonical_query
from tickets.views.bulk import queue_url
from tickets.views.common import signed_in_user, ticket_or_404
from tickets.views.lists import queue_page
from tickets.views.ticket import detail_context


def _check_linker(request: HttpRequest) -> None:
    if not permissions.can_link(signed_in_user(request)):
        raise PermissionDenied(_("Engineers and tech leads link tickets to an incident."))


def _done_text(incident: MajorIncident, asked: list[str], linked: list[str]) -> str:
    done = ngettext(
        "%(count)d ticket linked to %(number)s.",
        "%(count)d tickets linked to %(number)s.",
        len(linked),
    ) % {"count": len(linked), "number": incident.number}
    skipped = len(asked) - len(linked)
    if skipped:
        done += " " + ngettext(
            "%(count)d was linked already.", "%(count)d were linked already.", skipped
        ) % {"count": skipped}
    return done


def _incident(request: HttpRequest, number: str) -> MajorIncident:
    return selectors.incident_for(signed_in_user(request), number)


@login_required
@require_POST
def link_from_queue(request: HttpRequest) -> HttpResponse:
    """The queue's ticked tickets (``tickets``) to the incident ``incident`` (its number)."""
    _check_linker(request)
    user = signed_in_user(request)
    form = LinkForm(request.POST)
    back = form.data.get("next", "")
    status = 400
    if form.is_valid():
        incident = _incident(request, form.cleaned_data["incident"])
        asked = form.cleaned_data["tickets"]
        try:
            linked = services.link_tickets(incident.pk, actor=user, numbers=asked)
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            status = 409
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _done_text(incident, asked, linked))
            return redirect(queue_url(back))
    cleaned = getattr(form, "cleaned_data", {})
    selected = {str(n) for n in cleaned.get("tickets") or request.POST.getlist("tickets") or []}
    return queue_page(
        request,
        QueryDict(canonical_query(QueryDict(back), keep=("page",))),
        extra={"bulk_form": form, "selected": selected},
        status=status,
    )


@login_required
@require_POST
def link_ticket(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket ``number`` (the work view's button) to the incident ``incident``."""
    ticket = ticket_or_404(request, number)
    _check_linker(request)
    user = signed_in_user(request)
    form = LinkOneForm(request.POST)
    status, error = 400, _("Choose the incident to link this ticket to.")
    if form.is_valid():
        incident = _incident(request, form.cleaned_data["incident"])
        try:
            linked = services.link_tickets(incident.pk, actor=user, numbers=[ticket.number])
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            status, error = 409, str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _done_text(incident, [ticket.number], linked))
            url = reverse("tickets:detail", kwargs={"number": ticket.number})
            return redirect(f"{url}#incident-panel")
    context = detail_context(request, ticket_or_404(request, number))
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)
