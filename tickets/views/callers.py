"""The log-a-call form's caller picker: the look-up as the engineer types, and its steps
without JavaScript.

With JavaScript the search box asks ``callers`` for matching people (an HTML fragment, by
htmx) and ``static/js/caller_picker.js`` does the choosing in the page. Without it, the same
buttons post the form: "Find" (``find``), a person (``pick=<id>``) and "Change"
(``change``) re-render it as typed, with the matches or the chosen caller, and never file
it (``call_page``; files chosen before such a step have to be chosen again: no browser lets
a page fill in a file field).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.permissions import capabilities
from tickets.callers import QUERY_MAX, callers_for, find_callers, parse
from tickets.forms import CallForm
from tickets.views.common import signed_in_user

STEPS = ("find", "pick", "change")


@dataclass
class CallerPicker:
    """What the picker shows: the caller chosen, or the search box with its matches."""

    query: str = ""
    step: str | None = None  # the picker's button that posted the form, if one did
    caller: User | None = None
    results: list[User] = field(default_factory=list)
    more: bool = False
    searched: bool = False
    too_short: bool = False  # typed, but too little to look anyone up
    files_dropped: bool = False

    def search(self, actor: User) -> None:
        self.results, self.more = find_callers(actor, self.query)
        self.too_short = bool(self.query) and parse(self.query).is_empty
        self.searched = bool(self.query) and not self.too_short


def _query(text: str) -> str:
    return " ".join(text.split())[:QUERY_MAX]


def _chosen(actor: User, value: str | None) -> User | None:
    """The person of id ``value`` if ``actor`` may log a call for them."""
    if not value or not value.isdigit():
        return None
    return callers_for(actor).select_related("department", "site").filter(pk=value).first()


def call_page(request: HttpRequest, actor: User) -> tuple[CallForm, CallerPicker]:
    """The form and its picker for this request: a submission (bound, validated: its
    ``requester`` is the caller shown), a picker step (unbound, the typed values as its
    initial data), or the empty form (``?q=`` searches at once)."""
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    step = next((name for name in STEPS if name in request.POST), None) if posted else None
    picker = CallerPicker(query=_query(data.get("q", "")), step=step)
    if posted and step is None:
        form = CallForm(request.POST, request.FILES, actor=actor)
        form.is_valid()
        picker.caller = form.cleaned_data.get("requester")
    else:
        typed = {name: str(value) for name, value in request.POST.items() if name not in STEPS}
        chosen = {"pick": request.POST.get("pick"), "find": request.POST.get("requester")}
        picker.caller = _chosen(actor, chosen.get(step or ""))
        typed["requester"] = str(picker.caller.pk) if picker.caller else ""
        if step == "pick" and picker.caller and not typed.get("contact", "").strip():
            typed["contact"] = picker.caller.phone
        form = CallForm(initial=typed, actor=actor)
        picker.files_dropped = bool(request.FILES)
    if picker.caller is None and picker.query:
        picker.search(actor)
    return form, picker


@login_required
@require_GET
def callers(request: HttpRequest) -> HttpResponse:
    """``?q=``: the people matching a name, phone number or employee ID, as the search box's
    list (at most ``CALLER_RESULTS``). For whoever may log calls."""
    actor = signed_in_user(request)
    if not capabilities(actor).log_call:
        raise PermissionDenied
    picker = CallerPicker(query=_query(request.GET.get("q", "")))
    picker.search(actor)
    response = render(request, "tickets/partials/_caller_results.html", {"picker": picker})
    response["Cache-Control"] = "private, no-store"
    return response
