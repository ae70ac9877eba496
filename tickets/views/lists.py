"""The lists: a requester's own tickets and the engineers' live queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import capabilities
from tickets import actions, selectors
from tickets.actions import Action
from tickets.choices import OPEN_STATES
from tickets.filters import TicketFilter
from tickets.models import Ticket
from tickets.views.common import is_partial, signed_in_user, vary_on_htmx

# --- lists ----------------------------------------------------------------------


@login_required
@require_GET
def my_tickets(request: HttpRequest) -> HttpResponse:
    qs = selectors.my_tickets(signed_in_user(request))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return render(
        request,
        "tickets/mine.html",
        {
            "page": page,
            "open_rows": [t for t in rows if t.state in OPEN_STATES],
            "done_rows": [t for t in rows if t.state not in OPEN_STATES],
            "nav": "mine",
        },
    )


def _queue_tabs() -> list[tuple[str, str, str]]:
    return [
        ("all", _("All open"), ""),
        ("unassigned", _("Unassigned"), "unassigned=true"),
        ("mine", _("Mine"), "mine=true"),
        ("waiting", _("Waiting on requester"), "waiting_on=requester"),
        # Fixed and confirmed: waiting for an engineer to close (no count: may be many).
        ("to_close", _("To close"), "state=verified"),
    ]


def page_rows(qs: QuerySet[Ticket], page: Page[Ticket]) -> list[Ticket]:
    """The page's tickets: ids chosen on the ticket table alone, then joined.

    ``WHERE id IN (SELECT id … ORDER BY … LIMIT 50)``: the inner query needs no
    join, so PostgreSQL never joins thousands of filtered rows to users and
    categories only to keep fifty (20 ms instead of 1 ms for a filtered queue
    at a million tickets).
    """
    start = (page.number - 1) * page.paginator.per_page
    return list(qs.filter(pk__in=qs.values("pk")[start : start + page.paginator.per_page]))


_TAB_FILTERS = {"unassigned": "true", "mine": "true", "waiting_on": "requester"}
_TAB_COUNT_KEYS = {"unassigned": "unassigned", "mine": "mine", "waiting_on": "waiting"}


def _known_count(
    request: HttpRequest, filterset: TicketFilter, counts: dict[str, int]
) -> int | None:
    """The number of rows when the queue shows all open tickets or exactly one tab."""
    if filterset.is_bound and not filterset.is_valid():
        return counts["all"]
    given = {
        key: request.GET.getlist(key)
        for key in request.GET
        if key not in ("page", "sort") and any(request.GET.getlist(key))
    }
    if not given:
        return counts["all"]
    if len(given) == 1:
        key, values = next(iter(given.items()))
        if values == [_TAB_FILTERS.get(key)]:
            return counts[_TAB_COUNT_KEYS[key]]
    return None


@vary_on_htmx
@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    caps = capabilities(user)
    if not caps.view_all:
        raise PermissionDenied
    base = selectors.queue_for(user)
    # Asking for a state by name (verified, closed …) searches beyond the open tickets.
    finished = set(request.GET.getlist("state")) - set(OPEN_STATES)
    listed = selectors.queue_for(user, include_finished=True) if finished else base
    filterset = TicketFilter(request.GET or None, queryset=listed, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else listed
    # Counts of a NOT NULL column of the tickets_open_tabs index: one index-only scan.
    counts = base.aggregate(
        all=Count("waiting_on"),
        unassigned=Count("waiting_on", filter=Q(assignee__isnull=True)),
        mine=Count("waiting_on", filter=Q(assignee=user)),
        waiting=Count("waiting_on", filter=Q(waiting_on="requester")),
    )
    paginator = Paginator(qs, settings.TICKETS_QUEUE_PAGE_SIZE)
    known = _known_count(request, filterset, counts)
    if known is not None:  # a tab's count is the page count: no second COUNT over open rows
        paginator.count = known
    page = paginator.get_page(request.GET.get("page"))
    rows = page_rows(qs, page)
    # Only people who work the queue can be assignees: list them, not every user.
    filterset.form.fields["assignee"].queryset = selectors.engineers()
    for field in filterset.form.fields.values():
        css = "form-select" if hasattr(field.widget, "choices") else "form-control"
        field.widget.attrs["class"] = css
    params = request.GET.copy()
    params.pop("page", None)
    tab_keys = ("unassigned", "mine", "waiting_on")
    context = {
        "nav": "queue",
        "page": page,
        "rows": rows,
        # The one-click accept per row, asked of tickets.actions (no state named here).
        "acceptable": {t.pk for t in rows if actions.may(t, user, Action.ACCEPT)},
        "filter": filterset,
        "tabs": [(key, label, query, counts.get(key)) for key, label, query in _queue_tabs()],
        "active_tab": "&".join(f"{k}={params[k]}" for k in (*tab_keys, "state") if k in params),
        "hidden_filters": [(k, params[k]) for k in tab_keys if k in params],
        "visible_filters": ("state", "priority", "category", "site", "assignee", "sort", "q"),
        "query": params.urlencode(),
    }
    template = "tickets/partials/_queue_table.html" if is_partial(request) else "tickets/queue.html"
    return render(request, template, context)
