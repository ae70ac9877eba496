"""``GET /api/v1/tickets/?q=…``: the list endpoint as a search over every visible ticket.

With ``q`` the list leaves its usual order and page-counting behind: every ticket the
caller may see, in any state, ranked as on the search page (``tickets.search``), with the
list's other filters (``state``, ``priority`` …) and the search's own dates
(``submitted_from``, ``submitted_to``) narrowing it. Without ``q`` nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.models import User
from tickets import search, selectors
from tickets.api.pagination import CappedCountPagination
from tickets.filters import TicketFilter
from tickets.models import Ticket

PAGE_SIZE = CappedCountPagination.page_size

PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description=(
            "Search every ticket you may see, in any state (open, verified, closed), instead "
            "of listing: a ticket number whole or in part (`IT-20261125-0001`, `0001`), words "
            "of the title, description, diagnosis, solution and public replies (Chinese is "
            "segmented: `投影` finds 投影仪), the requester's name or username, the device. "
            "Staff also match internal notes. Results come best match first (the exact number, "
            f"then numbers containing the text, then relevance); at most {search.CANDIDATES} "
            "are ranked, the newest matches first when more match (`count_capped` is then "
            f"true). Other filters still apply; `sort` does not. At most {search.QUERY_MAX} "
            "characters."
        ),
    ),
    OpenApiParameter(
        "submitted_from",
        OpenApiTypes.DATE,
        description="With `q`: filed on or after this day (YYYY-MM-DD, your time zone).",
    ),
    OpenApiParameter(
        "submitted_to",
        OpenApiTypes.DATE,
        description="With `q`: filed on or before this day (YYYY-MM-DD, your time zone).",
    ),
]


def wants_search(request: Request) -> bool:
    return bool(str(request.query_params.get("q", "")).strip())


def search_response(view: GenericAPIView[Ticket], user: User) -> Response:
    """The ranked page (two queries: the ranked ids, then the page's rows)."""
    request = view.request
    form = search.SearchForm(request.query_params)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors.get_json_data(escape_html=False))
    others = request.query_params.copy()
    for key in ("q", "page", "sort", "submitted_from", "submitted_to"):
        others.pop(key, None)
    filterset = TicketFilter(others, queryset=selectors.tickets_visible_to(user), request=request)
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    within = form.filters().apply(filterset.qs)
    result = search.search(user, search.parse(form.cleaned_data["q"]), within)
    paginator = Paginator(result.ids, PAGE_SIZE, allow_empty_first_page=True)
    try:
        page = paginator.page(request.query_params.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        raise exceptions.NotFound(CappedCountPagination.invalid_page_message) from None
    rows = search.in_order(selectors.ticket_list_for(user), list(page.object_list))
    url = request.build_absolute_uri()
    body: dict[str, Any] = {
        "count": len(result.ids),
        "count_capped": result.capped,
        "next": replace_query_param(url, "page", page.number + 1) if page.has_next() else None,
        "previous": _previous(url, page.number),
        "results": view.get_serializer(rows, many=True).data,
    }
    return Response(body)


def _previous(url: str, number: int) -> str | None:
    if number <= 1:
        return None
    if number == 2:
        return remove_query_param(url, "page")
    return replace_query_param(url, "page", number - 1)
