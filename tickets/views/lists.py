"""The lists: a requester's own tickets and the engineers' live queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, overload

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import capabilities
from tickets import actions, selectors
from tickets.actions import Action
from tickets.choices import OPEN_STATES, Priority, TicketState
from tickets.filters import ALL, DEFAULT_SORT, FILTER_KEYS, TicketFilter, canonical_query
from tickets.limits import max_length
from tickets.models import SavedView, Ticket
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


QUEUE_TAB_KEYS = ("unassigned", "mine", "waiting_on")


def _queue_tabs() -> list[tuple[str, str, str]]:
    return [
        # Everything not closed: the open tickets, then the verified ones waiting to close.
        ("all", _("All open"), ""),
        ("unassigned", _("Unassigned"), "unassigned=true"),
        ("mine", _("Assigned to me"), "mine=true"),
        ("waiting", _("Waiting on requester"), "waiting_on=requester"),
        # Fixed and confirmed: waiting for an engineer to close.
        ("to_close", _("To close"), "state=verified"),
    ]


def page_rows(qs: QuerySet[Ticket], start: int, stop: int) -> list[Ticket]:
    """Rows ``start:stop`` of ``qs``: ids chosen on the ticket table alone, then joined.

    ``WHERE id IN (SELECT id … ORDER BY … LIMIT 50)``: the inner query needs no
    join, so PostgreSQL never joins thousands of filtered rows to users and
    categories only to keep fifty (20 ms instead of 1 ms for a filtered queue
    at a million tickets).
    """
    return list(qs.filter(pk__in=qs.values("pk")[start:stop]))


class QueueRows:
    """The queue as one list read in parts: the open tickets in the chosen order, then (on
    the "all open" tab) the verified ones waiting to be closed.

    Each part is its own query, so the open part keeps its partial indexes (a query over
    open and verified tickets at once could use neither); a page that straddles the two
    reads both. A part's count is given when the tab counts already know it, else counted
    once when the paginator asks.
    """

    def __init__(self, parts: list[tuple[QuerySet[Ticket], int | None]]) -> None:
        self.parts = parts

    def _sizes(self) -> list[int]:
        sizes = [n if n is not None else qs.count() for qs, n in self.parts]
        self.parts = [(part[0], n) for part, n in zip(self.parts, sizes, strict=True)]
        return sizes

    def count(self) -> int:
        return sum(self._sizes())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Ticket]:  # the paginator slices; this reads every row
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, window: int) -> Ticket: ...
    @overload
    def __getitem__(self, window: slice) -> list[Ticket]: ...
    def __getitem__(self, window: int | slice) -> Ticket | list[Ticket]:
        if isinstance(window, int):
            return self[window : window + 1][0]
        start, stop = window.start or 0, window.stop
        rows: list[Ticket] = []
        offset = 0
        for (qs, _known), size in zip(self.parts, self._sizes(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                rows += page_rows(qs, low, high)
            offset += size
        return rows


def _known_counts(
    given: dict[str, list[str]], counts: dict[str, int], with_verified: bool
) -> list[int | None]:
    """Each part's size when the tab counts already say it (a tab, or nothing chosen)."""
    if not given:
        return [counts["all"], counts["to_close"]]
    if len(given) == 1:
        key, values = next(iter(given.items()))
        if key == "state" and values == ["verified"]:
            return [counts["to_close"]]
        if key in QUEUE_TAB_KEYS and values == [_TAB_FILTERS[key]]:
            return [counts[_TAB_COUNT_KEYS[key]]]
    return [None, None] if with_verified else [None]


# Counting a hundred thousand verified tickets costs 16 ms on every queue page; a count
# stops here, as the API's does, and reads "10000+".
COUNT_CAP = 10_000


def capped_count(qs: QuerySet[Ticket]) -> int:
    """The number of rows, counted up to ``COUNT_CAP``."""
    return qs.order_by().values("pk")[:COUNT_CAP].count()


def _count_text(count: int | None, capped: bool) -> str | None:
    if count is None:
        return None
    return f"{count}+" if capped else str(count)


def _in_filing_order(qs: QuerySet[Ticket], params: QueryDict) -> QuerySet[Ticket]:
    """Finished tickets in the default order, said the way an index can answer it.

    Verified and closed tickets have no deadline left (``next_due_at`` is NULL), so the
    deadline order is the filing order; said as ``ORDER BY submitted_at`` PostgreSQL walks
    the tickets_by_submitted index and stops after a page (1 ms instead of 550 ms with a
    hundred thousand verified tickets, where it sorted them all). Any other order is kept.
    """
    if params.get("sort") in (None, "", DEFAULT_SORT):
        return qs.order_by("submitted_at")
    return qs


_TAB_FILTERS = {"unassigned": "true", "mine": "true", "waiting_on": "requester"}
_TAB_COUNT_KEYS = {"unassigned": "unassigned", "mine": "mine", "waiting_on": "waiting"}


@vary_on_htmx
@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not capabilities(signed_in_user(request)).view_all:
        raise PermissionDenied
    if is_partial(request):
        return queue_page(request, request.GET, template="tickets/partials/_queue_table.html")
    return queue_page(request, request.GET)


def queue_page(
    request: HttpRequest,
    params: QueryDict,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
    template: str = "tickets/queue.html",
) -> HttpResponse:
    """The queue filtered by ``params`` (the querystring; a form that failed on the queue
    page passes the filters it came from, and its errors in ``extra``)."""
    user = signed_in_user(request)
    caps = capabilities(user)
    base = selectors.queue_for(user)
    # Asking for a state by name (verified, closed …) searches beyond the open tickets, and
    # so does a digest's link: it lists every ticket the digest folded, closed ones too.
    states = set(params.getlist("state"))
    finished = states - set(OPEN_STATES)
    everything = bool(finished) or str(params.get("digest", "")).isdigit()
    listed = selectors.queue_for(user, include_finished=True) if everything else base
    filterset = TicketFilter(params or None, queryset=listed, request=request)
    valid = not filterset.is_bound or filterset.is_valid()
    given = {
        key: params.getlist(key)
        for key in params
        if key not in ("page", "sort") and any(params.getlist(key))
    }
    # "All open" (no state, no tab): the open tickets, then the verified ones to close.
    with_verified = valid and not set(given) & {"state", "open", "digest", *QUEUE_TAB_KEYS}
    # Counts of a NOT NULL column of the tickets_open_tabs index: one index-only scan.
    counts = base.aggregate(
        all=Count("waiting_on"),
        unassigned=Count("waiting_on", filter=Q(assignee__isnull=True)),
        mine=Count("waiting_on", filter=Q(assignee=user)),
        waiting=Count("waiting_on", filter=Q(waiting_on="requester")),
    )
    # Verified tickets: an index-only scan of tickets_by_state_priority, stopped at the cap.
    counts["to_close"] = capped_count(
        selectors.tickets_visible_to(user).filter(state=TicketState.VERIFIED)
    )
    if valid:
        qs = filterset.qs if filterset.is_bound else listed
        known = _known_counts(given, counts, with_verified)
        if finished and not states & set(OPEN_STATES):  # verified, closed: no deadline
            qs = _in_filing_order(qs, params)
    else:  # a filter that cannot be read shows the open tickets, as with no filter
        qs, known = listed, [counts["all"] if listed is base else None]
    parts = [(qs, known[0])]
    if with_verified:
        verified = selectors.queue_for(user, include_finished=True).filter(
            state=TicketState.VERIFIED
        )
        if filterset.is_bound:
            verified = filterset.filter_queryset(verified)
        verified = _in_filing_order(verified, params)
        parts.append((verified, capped_count(verified) if known[1] is None else known[1]))
    counts["all"] += counts["to_close"]
    capped = {"all", "to_close"} if counts["to_close"] >= COUNT_CAP else set()
    paginator: Paginator[Ticket] = Paginator(QueueRows(parts), settings.TICKETS_QUEUE_PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    rows = list(page.object_list)
    # Only people who work the queue can be assignees: listed once, for the assignee
    # filter (which validated against the same people) and the bulk "assign to" choice.
    people = list(selectors.engineers())
    filterset.form.fields["assignee"].widget.choices = [
        ("", ALL),
        *((p.username, p.name) for p in people),
    ]
    for field in filterset.form.fields.values():
        css = "form-select" if hasattr(field.widget, "choices") else "form-control"
        field.widget.attrs["class"] = css
    shown = params.copy()
    shown.pop("page", None)
    current = canonical_query(params)
    saved = list(SavedView.objects.filter(owner=user))
    active_view = next((v for v in saved if v.query == current), None)
    context = {
        "nav": "queue",
        "page": page,
        "rows": rows,
        # The one-click accept per row, asked of tickets.actions (no state named here).
        "acceptable": {t.pk for t in rows if actions.may(t, user, Action.ACCEPT)},
        "filter": filterset,
        "tabs": [
            (key, label, query, _count_text(counts.get(key), key in capped))
            for key, label, query in _queue_tabs()
        ],
        # A saved view shown is the one tab lit, even when it filters like a built-in one.
        "active_tab": None
        if active_view
        else "&".join(f"{k}={shown[k]}" for k in (*QUEUE_TAB_KEYS, "state") if k in shown),
        "hidden_filters": [(k, shown[k]) for k in (*QUEUE_TAB_KEYS, "digest") if k in shown],
        "visible_filters": ("state", "priority", "category", "site", "assignee", "sort", "q"),
        "filtered": bool(given),
        "filters_in_use": sum(
            1 for key in given if key in FILTER_KEYS and key not in QUEUE_TAB_KEYS
        ),
        "query": shown.urlencode(),
        # What the table's self-refresh asks for: this page, also when it answers a form.
        "refresh_url": request.get_full_path()
        if request.method == "GET"
        else f"{reverse('tickets:queue')}?{params.urlencode()}",
        # The rows shown: what a saved view keeps, and where a bulk action comes back to.
        "current_query": current,
        "back_query": canonical_query(params, keep=("page",)),
        "saved_views": saved,
        "active_view": active_view,
        "view_count": paginator.count,
        "view_name_max": max_length(SavedView, "name"),
        "can_bulk": caps.work_queue,
        "can_assign": caps.assign,
        "engineers": people,
        "priorities": Priority.choices,
        "reason_max": max_length(Ticket, "priority_reason"),
        "selected": set(),
        **(extra or {}),
    }
    return render(request, template, context, status=status)
