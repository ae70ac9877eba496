"""What every page view shares: the signed-in user, htmx partials, the ticket or 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

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


# What ``is_partial`` reads: a response chosen by it differs by these request headers.
HTMX_VARY = ("HX-Request", "HX-Boosted")


def vary_on_htmx(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark every answer of a view that answers htmx differently (``is_partial``) with
    ``Vary: HX-Request, HX-Boosted``, so no cache hands the fragment to a full-page load
    or the reverse. Both variants need the header, the full page included."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, HTMX_VARY)
        return response

    return wrapped


def ticket_or_404(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.get_ticket_for(signed_in_user(request), number)
    except TicketNotFound:
        raise Http404 from None
