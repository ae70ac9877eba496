"""Suggestions on the new-ticket form (deflection).

* The aside (``tickets.hooks`` filing aside, under the symptom): a hidden token naming the
  form's suggestion session, and the list that htmx refreshes as the person types
  (``keyup changed delay:400ms`` on the summary and the symptom).
* ``suggest`` (GET, the list): up to ``LIMIT`` published articles the person may read
  (``knowledge.search.suggest``: a requester sees public ones only); what was shown is
  recorded on the form's session.
* ``accept`` (POST, "this solved my problem"): the session ends with that article, the
  form is left without a ticket, and the person lands on their home page.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from knowledge import markdown, search
from knowledge.services import suggestions
from tickets.errors import InvalidTransition
from tickets.views.common import is_partial, signed_in_user, vary_on_htmx

ASIDE = "knowledge_suggest"
LIMIT = 5
MIN_CHARS = 2  # a query shorter than this suggests nothing
QUERY_MAX = 300  # characters of the summary and symptom searched


def aside_context(user: User, data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The form's token (kept when the form comes back with errors, so it stays one
    session) and whether to ask at once (the form came back with text in it)."""
    token = suggestions.parse_token((data or {}).get(suggestions.TOKEN_FIELD)) or uuid.uuid4()
    typed = bool(data and (str(data.get("title", "")).strip() or data.get("description")))
    return {"token": token, "field": suggestions.TOKEN_FIELD, "load": typed}


def query_of(*texts: str) -> str:
    """The words typed, one space between them, without what PostgreSQL cannot take (a NUL,
    a lone surrogate: typed text never holds them, so they are dropped, not refused)."""
    joined = " ".join(" ".join(texts).split())[:QUERY_MAX]
    return "".join(ch for ch in joined if ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF)


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    q = query_of(request.GET.get("title", ""), request.GET.get("description", ""))
    if len(q) < MIN_CHARS:
        return render(request, "knowledge/suggest_results.html", {"items": []})
    hits = search.suggest(user, q, limit=LIMIT)[:LIMIT]
    token = suggestions.parse_token(request.GET.get(suggestions.TOKEN_FIELD))
    if token is not None:
        suggestions.record_shown(user, token, q, [hit.article.pk for hit in hits])
    # Each article's steps as its page shows them (Markdown, made safe), for "show the steps".
    items = [{"hit": hit, "steps": [_step(s) for s in hit.article.steps]} for hit in hits]
    context = {"items": items, "field": suggestions.TOKEN_FIELD}
    return render(request, "knowledge/suggest_results.html", context)


@login_required
@require_POST
@vary_on_htmx
def accept(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    try:
        session = suggestions.accept(
            user, request.POST.get(suggestions.TOKEN_FIELD), request.POST.get("article")
        )
    except ValidationError as exc:
        return _error(" ".join(exc.messages), 400)
    except InvalidTransition as exc:
        return _error(str(exc), 409)
    title = session.accepted_article.title if session.accepted_article else ""
    messages.success(
        request,
        _("Glad “%(title)s” solved it: no ticket was filed. If the problem comes back, report it.")
        % {"title": title},
    )
    home = reverse("home")
    if is_partial(request):
        response = HttpResponse()
        response["HX-Redirect"] = home
        return response
    return redirect(home)


def _step(text: str) -> SafeString:
    """A step's Markdown as HTML; a single paragraph without its ``<p>`` (it is a list item)."""
    html = markdown.render(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return mark_safe(html[3:-4])  # noqa: S308 - a part of the cleaned HTML, tags balanced
    return mark_safe(html)  # noqa: S308 - cleaned by knowledge.markdown


def _error(message: str, status: int) -> HttpResponse:
    return HttpResponse(
        format_html('<div class="alert alert-danger mt-2 mb-0" role="alert">{}</div>', message),
        status=status,
    )
