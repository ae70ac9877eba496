"""What the related-tickets card and the reopen card of a ticket page show to its viewer."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.permissions import capabilities
from tickets import permissions, related
from tickets.choices import ClosedAs, TicketState
from tickets.link_forms import LinkForm, MergeForm, ReopenForm
from tickets.models import Ticket
from tickets.views.common import blank_form

register = template.Library()


def _viewer(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def related_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """Links, duplicates merged in, the ticket this one was merged into, and the forms
    (the page's own bound forms when it is shown again with their errors)."""
    user = _viewer(context)
    into = related.merged_into(user, ticket)
    found = {
        "links": related.links_for(user, ticket),
        "duplicates": related.duplicates_for(user, ticket),
        "into_number": into[0] if into else "",
        "into": into[1] if into else None,
        "link_form": context.get("link_form") or blank_form(LinkForm),
        "merge_form": context.get("merge_form") or blank_form(MergeForm),
    }
    found["empty"] = not (found["links"] or found["duplicates"] or found["into_number"])
    return found


@register.simple_tag(takes_context=True)
def reopen_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """The reopen form while the window is open; afterwards, for the requester of a
    completed ticket, the way to report a related problem."""
    user = _viewer(context)
    allowed = context.get("allowed") or {}
    finished = ticket.state in (TicketState.VERIFIED, TicketState.CLOSED) and ticket.closed_as in (
        ClosedAs.NONE,
        ClosedAs.COMPLETED,
    )
    return {
        "reopen_form": context.get("reopen_form") or blank_form(ReopenForm),
        "can_reopen": bool(allowed.get("reopen")),
        "until": ticket.reopen_until,
        "follow_up": finished
        and not allowed.get("reopen")
        and permissions.is_requester_of(ticket, user)
        and capabilities(user).file_ticket,
    }
