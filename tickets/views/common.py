"""What every page view shares: the signed-in user, htmx partials, the ticket or 404, the
empty forms pages show."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorList
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy

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


# --- empty forms --------------------------------------------------------------------------

F = TypeVar("F", bound=forms.Form)

# At most this many empty forms are kept (per form class and arguments, e.g. a visit's id).
BLANK_FORMS_KEPT = 512
_blank: dict[tuple[type[forms.Form], tuple[tuple[str, Any], ...]], forms.Form] = {}


# A plain translation (``gettext_lazy``): its text changes with the language only (a
# label that reads settings when shown, such as the upload limits, is read every time).
_TRANSLATION = type(gettext_lazy("x"))


class _RenderedOnce(BoundField):
    """A field of an empty form that renders its widget once per language: unbound, with
    no initial value that could change (``blank_form`` checks), its markup changes with
    nothing else. Its label and help text (plain translations) are translated once per
    language too, and its errors (none) are one empty list: the form helpers ask for each
    on every render (a translation lookup, a new ``ErrorList``)."""

    def __str__(self) -> SafeString:
        html: SafeString = self._once("_rendered", super().__str__)
        return html

    __html__ = __str__

    @property
    def label(self) -> Any:  # type: ignore[override]
        return self._said("label")

    @property
    def help_text(self) -> Any:  # type: ignore[override]
        return self._said("help_text")

    @property
    def errors(self) -> ErrorList:
        found: ErrorList | None = self.__dict__.get("_no_errors")
        if found is None:
            found = self.__dict__["_no_errors"] = super().errors
        return found

    def _said(self, name: str) -> Any:
        raw = self.__dict__[name]
        if not isinstance(raw, _TRANSLATION):
            return raw
        return self._once(f"_{name}", lambda: str(raw))

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        by_language: dict[str, Any] = self.__dict__.setdefault(key, {})
        language = get_language() or ""
        found = by_language.get(language)
        if found is None:
            found = by_language[language] = make()
        return found


def blank_form(form_class: type[F], **kwargs: Any) -> F:
    """An empty ``form_class(**kwargs)`` to show, shared by every request of this process.

    A page shows a dozen empty forms (reply, log work, ask for consent, schedule a visit…):
    building each cost ~0.1 ms (Django copies every field) and rendering its widgets as
    much again, for markup that changes only with the language. Only for forms whose
    fields offer no rows of the database (no model choices) and have no initial value
    computed when shown; ``kwargs`` must be hashable (a visit's id; ``initial``, a dict of
    hashable values: a ticket's priority, a device's tag). Never bind, change or
    validate the form returned: a post builds its own (bound) form, and a page shown again
    with errors passes that one instead.
    """
    key = (
        form_class,
        tuple(
            (name, tuple(sorted(value.items())) if isinstance(value, dict) else value)
            for name, value in sorted(kwargs.items())
        ),
    )
    form = _blank.get(key)
    if form is not None:
        return form  # type: ignore[return-value]
    form = form_class(**kwargs)
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) or callable(field.initial):
            raise TypeError(f"{form_class.__name__}.{name} changes between requests")
        bound = form[name]
        bound.__class__ = _RenderedOnce
    if len(_blank) >= BLANK_FORMS_KEPT:
        _blank.clear()
    _blank[key] = form
    return form
