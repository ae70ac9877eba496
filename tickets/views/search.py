"""The search page: every ticket the reader may see, in any state, ranked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import capabilities
from tickets import search, selectors
from tickets.filters import sites_nameable_by
from tickets.models import Ticket
from tickets.views.common import signed_in_user

PAGE_SIZE = 25


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """``/tickets/search/?q=…&state=…&submitted_from=…&submitted_to=…``.

    Queries: the ranked ids (one), the page's rows with their names (one), whatever the
    number of matches. A bad filter is a form error on the page, never a 500.
    """
    user = signed_in_user(request)
    # Staff narrow by site (R7.2: the sites they work for, when limited to some).
    sites = sites_nameable_by(request) if capabilities(user).view_all else None
    form = search.SearchPageForm(request.GET or None, sites=sites)
    result: search.Result | None = None
    rows: list[Ticket] = []
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        parsed = search.parse(form.cleaned_data["q"])
        within = form.filters(form.states()).apply(selectors.tickets_visible_to(user))
        result = search.search(user, parsed, within)
        page = Paginator(result.ids, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = search.in_order(selectors.ticket_list_for(user), list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    filtered = form.is_bound and any(
        request.GET.get(k) for k in ("state", "site", "submitted_from", "submitted_to")
    )
    context = {
        "nav": "search",
        "form": form,
        "q": form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
        "result": result,
        "rows": rows,
        "page": page,
        "filtered": filtered,
        "query": params.urlencode(),
        "candidates": search.CANDIDATES,
    }
    return render(request, "tickets/search.html", context)
