"""The ongoing major incidents, for every page a member of staff opens.

``ongoing_incidents`` feeds the read-only banner under the top bar (number, title,
status, a link to the live page) and ``queue_bulk_extras`` puts "link the selected tickets
to MI-…" in the queue's bulk bar (a panel-like list the tickets template includes without
naming this app). Both are lazy: a page that shows neither (an htmx fragment, a requester's
page) asks nothing. A page that shows them asks one query, or none while the short-lived
cache holds the answer; any change to an incident clears it (``registrations``).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from incidents import permissions
from incidents.choices import IncidentStatus
from incidents.selectors import open_incidents

CACHE_KEY = "incidents:ongoing:v1"
CACHE_SECONDS = 120
# More open at once than this and the banner says how many more, linking to the list.
SHOWN = 3
LINK_PANEL = "incidents/partials/_queue_link.html"


def _key() -> str:
    """Per database: two desks sharing one Redis (a test server beside production, or
    several development databases) never show each other's incidents."""
    return f"{CACHE_KEY}:{connection.settings_dict['NAME']}"


def ongoing() -> list[dict[str, Any]]:
    """The open incidents, newest first (at most ``SHOWN`` + 1): number, title, status and
    the live page's address. One query on a cache miss."""
    found = cache.get(_key())
    if found is None:
        rows = open_incidents().values("pk", "number", "title", "status")[: SHOWN + 1]
        found = [
            {
                "pk": row["pk"],
                "number": row["number"],
                "title": row["title"],
                "status": row["status"],
            }
            for row in rows
        ]
        cache.set(_key(), found, CACHE_SECONDS)
    return [
        {
            **row,
            "status_label": IncidentStatus(row["status"]).label,
            "url": live_url(row["number"]),
        }
        for row in found
    ]


def live_url(number: str) -> str:
    return reverse("incidents:live", kwargs={"number": number})


def forget_ongoing(**kwargs: Any) -> None:
    """Clear the cached answer now and again once the change commits (a page read between
    the two would otherwise cache what the transaction is about to change)."""
    key = _key()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _bulk_extras(user: User) -> list[dict[str, Any]]:
    if not permissions.can_link(user):
        return []
    shown = ongoing()[:SHOWN]
    if not shown:
        return []
    return [
        {
            "template": LINK_PANEL,
            "context": {"incidents": shown, "url": reverse("incidents:link_from_queue")},
        }
    ]


def incidents(request: HttpRequest) -> dict[str, Any]:
    """``ongoing_incidents`` (``shown``, ``more``) and ``queue_bulk_extras`` for staff."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not permissions.can_read(user):
        return {}

    def banner() -> dict[str, Any]:
        rows = ongoing()
        return {"shown": rows[:SHOWN], "more": len(rows) > SHOWN, "list_url": _list_url()}

    return {
        "ongoing_incidents": SimpleLazyObject(banner),
        "queue_bulk_extras": SimpleLazyObject(lambda: _bulk_extras(user)),
    }


def _list_url() -> str:
    return reverse("incidents:list")
