"""Followers (CC) from the ticket page: add, remove, follow, unfollow, and the name picker.

The panel (``templates/tickets/partials/watchers.html``) posts plain forms here; a refusal
re-renders the ticket with the error beside the name field, like every action on the
page. The picker asks ``watcher_candidates`` for at most 20 names as the person types
(``static/js/watchers.js``).
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from tickets import permissions, selectors
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.forms import StyledForm
from tickets.models import Ticket
from tickets.services import watchers as service
from tickets.views.common import signed_in_user, ticket_or_404
from tickets.views.ticket import detail_context


class WatcherForm(StyledForm):
    id_prefix = "watcher"
    user = forms.CharField(
        label=gettext_lazy("Colleague"),
        max_length=254,
        help_text=gettext_lazy("Type a name and pick from the list, or give a username or e-mail."),
    )


def _change(
    request: HttpRequest,
    number: str,
    run: Callable[[Ticket, User, str], object],
    success: str,
) -> HttpResponse:
    """Run one watcher service for the posted ``user``; on refusal re-render the ticket."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    form = WatcherForm(request.POST)
    status, error = 400, ""
    if form.is_valid():
        try:
            run(ticket, actor, form.cleaned_data["user"])
        except TicketNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            status, error = 409, str(exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, success)
            if not permissions.can_view(ticket, actor):  # they stopped following
                return redirect("home")
            return redirect("tickets:detail", number=ticket.number)
    context = detail_context(request, ticket_or_404(request, number), watcher_form=form)
    context["action_error"] = error or " ".join(str(e) for e in form.non_field_errors())
    return render(request, "tickets/detail.html", context, status=status)


def _names_self(request: HttpRequest) -> bool:
    return request.POST.get("user", "").strip() == signed_in_user(request).username


@login_required
@require_POST
def watcher_add(request: HttpRequest, number: str) -> HttpResponse:
    """Add the named person; naming oneself is "follow"."""
    if _names_self(request):
        success = _("You now follow this ticket and will hear about its public updates.")
    else:
        success = _("Follower added: they will hear about the ticket's public updates.")
    return _change(
        request,
        number,
        lambda ticket, actor, user: service.add_watcher(ticket.pk, actor=actor, user=user),
        success,
    )


@login_required
@require_POST
def watcher_remove(request: HttpRequest, number: str) -> HttpResponse:
    """Remove the named follower; naming oneself is "unfollow"."""
    if _names_self(request):
        success = _("You no longer follow this ticket.")
    else:
        success = _("Follower removed.")
    return _change(
        request,
        number,
        lambda ticket, actor, user: service.remove_watcher(ticket.pk, actor=actor, user=user),
        success,
    )


@login_required
@require_GET
def watcher_candidates(request: HttpRequest, number: str) -> JsonResponse:
    """``?q=``: up to 20 people the viewer may add, for the name field's suggestions."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    if not permissions.can_add_watchers(ticket, actor):
        raise PermissionDenied(_("You may not add followers to this ticket."))
    people = selectors.watcher_candidates(actor, ticket, request.GET.get("q", ""))
    results = [
        {
            "username": person.username,
            "name": person.name,
            "department": person.department.name if person.department else "",
        }
        for person in people
    ]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "private, no-store"
    return response
