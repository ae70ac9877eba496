"""Templates ask ``tickets.actions`` which buttons to show; no template names a state."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from tickets import actions
from tickets.models import Ticket

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: dict[str, Any], ticket: Ticket, action: str) -> bool:
    """``{% may ticket "accept" as can_accept %}``: the signed-in user may take it now."""
    user = context.get("user")
    return isinstance(user, User) and actions.may(ticket, user, action)
