"""What every page view shares: the signed-in user, htmx partials, the ticket or 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from accounts.models import User
from tickets import selectors
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.forms import add_errors
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


@dataclass(frozen=True)
class Refused:
    """Why a posted action was not done: ``status`` 400 (the input: the form says where)
    or 409 (the object's state); ``error`` is shown above the form (may be empty)."""

    status: int
    error: str


def run_form(form: forms.Form | None, run: Callable[[dict[str, Any]], object]) -> Refused | None:
    """Validate ``form`` (if any) and run a service with its data: ``None`` when done.

    What every page action does with a service's refusals: ``ActionForbidden`` is a 403
    and ``TicketNotFound`` a 404 (raised); ``InvalidTransition`` a 409 with its message;
    a ``ValidationError`` goes beside the form's fields (400)."""
    if form is not None and not form.is_valid():
        return Refused(400, " ".join(str(e) for e in form.non_field_errors()))
    try:
        run(form.cleaned_data if form is not None else {})
    except TicketNotFound:
        raise Http404 from None
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return Refused(409, str(exc))
    except ValidationError as exc:
        if form is None:
            return Refused(400, " ".join(exc.messages))
        add_errors(
            form, exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        )
        return Refused(400, " ".join(str(e) for e in form.non_field_errors()))
    return None
