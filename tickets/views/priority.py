"""The priority form's preview: what a change would do to the deadlines, before it is saved."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tickets import actions, services
from tickets.actions import Action
from tickets.clock_display import priority_preview
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.views.common import signed_in_user, ticket_or_404

TEMPLATE = "tickets/partials/_priority_preview.html"


@login_required
@require_GET
def preview_priority(request: HttpRequest, number: str) -> HttpResponse:
    """``?priority=high``: the deadlines the change would set, in the reader's zone, and
    whether anything would be overdue at once; the fragment the priority form shows.

    Read-only, and for the people who may change the priority: 404 for a ticket the user
    cannot see, 403 for who may not, 409 once the ticket is finished, 400 naming
    ``priority`` for a value that is not one. No priority, or the ticket's own, previews
    nothing.
    """
    ticket = ticket_or_404(request, number)
    user = signed_in_user(request)
    chosen = request.GET.get("priority", "")
    context: dict[str, Any] = {"ticket": ticket, "preview": None, "preview_error": ""}
    status = 200
    try:
        actions.check(ticket, user, Action.PRIORITY)
        if chosen and chosen != ticket.priority:
            now = timezone.now()
            draft, data = services.preview_priority_change(
                ticket, actor=user, priority=chosen, now=now
            )
            context["preview"] = priority_preview(draft, data, now)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        status, context["preview_error"] = 409, str(exc)
    except ValidationError as exc:
        status = 400
        context["preview_error"] = " ".join(exc.message_dict.get("priority", exc.messages))
    return render(request, TEMPLATE, context, status=status)
