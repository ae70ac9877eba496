"""What every page view shares: the signed-in user, htmx partials, the ticket or 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from accounts.models import User
from tickets import selectors
from tickets.errors import TicketNotFound
from tickets.models import Ticket


def signed_in_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # login_required ran first
        raise PermissionDenied
    return request.user


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)


def ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.get_ticket_for(signed_in_user(request), number)
    except TicketNotFound:
        raise Http404 from None
