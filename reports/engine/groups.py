"""The groupings a report's rows follow: how each computes its key in SQL, names it for
people, orders its rows and fills the groups that had no ticket.

- ``priority``, ``channel``: every value (those the filters allow), in their own order,
  zero rows included;
- ``category``: the top-level category (fault type: hardware, software, network …) with its
  sub-categories folded in; ``subcategory``: the ticket's own category; in the categories'
  order; only those with tickets;
- ``site`` (by name, "no site" last), ``engineer`` (the current assignee, by username,
  "unassigned" last): only those with tickets;
- ``day``, ``week`` (ISO weeks, keyed by their Monday), ``month`` (keyed by its first day):
  every one the period touches, in time order, zero rows included. The first and last
  week or month may be cut by the period: only the period's days count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from reports.engine.types import Filters
from tickets.choices import Channel, Priority

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Group:
    name: str
    key: str  # SQL over the fact ``f`` (and ``c``, the ticket's category, when joined)
    join: str = ""  # what ``key`` needs beside ``f``
    # Naming the keys after aggregation: a join on ``agg.k`` and the columns
    # ``k_code, k_name, k_name_en, k_sort, k_parent_sort, k_parent_code``.
    label_join: str = ""
    label_columns: str = (
        "NULL::text AS k_code, NULL::text AS k_name, NULL::text AS k_name_en, "
        "NULL::int AS k_sort, NULL::int AS k_parent_sort, NULL::text AS k_parent_code"
    )


_CATEGORY_LABELS = (
    "lc.slug AS k_code, lc.name AS k_name, lc.name_en AS k_name_en, "
    "lc.sort_order::int AS k_sort, lp.sort_order::int AS k_parent_sort, "
    "lp.slug AS k_parent_code"
)
_CATEGORY_JOIN = (
    "LEFT JOIN tickets_category lc ON lc.id = agg.k "
    "LEFT JOIN tickets_category lp ON lp.id = lc.parent_id"
)
# Days, weeks and months: the index of the bucket an instant falls in, among the desk's
# midnights that start them (``%(buckets)s``, from ``all_keys``); a binary search per row
# instead of a time-zone conversion (``rows.grouped`` maps the index back to the date).
_BUCKET = "width_bucket(f.submitted_at, %(buckets)s::timestamptz[])"

GROUPS: dict[str, Group] = {
    "priority": Group("priority", "f.priority"),
    "category": Group(
        "category",
        "coalesce(c.parent_id, c.id)",
        join="JOIN tickets_category c ON c.id = f.category_id",
        label_join=_CATEGORY_JOIN,
        label_columns=_CATEGORY_LABELS,
    ),
    "subcategory": Group(
        "subcategory",
        "f.category_id",
        label_join=_CATEGORY_JOIN,
        label_columns=_CATEGORY_LABELS,
    ),
    "site": Group(
        "site",
        "f.site_id",
        label_join="LEFT JOIN accounts_site ls ON ls.id = agg.k",
        label_columns=(
            "ls.code AS k_code, ls.name AS k_name, NULL::text AS k_name_en, NULL::int AS k_sort, "
            "NULL::int AS k_parent_sort, NULL::text AS k_parent_code"
        ),
    ),
    "channel": Group("channel", "f.channel"),
    "engineer": Group(
        "engineer",
        "f.assignee_id",
        label_join="LEFT JOIN accounts_user lu ON lu.id = agg.k",
        label_columns=(
            "lu.username AS k_code, "
            "coalesce(nullif(lu.display_name, ''), "
            "nullif(trim(lu.first_name || ' ' || lu.last_name), ''), lu.username) AS k_name, "
            "NULL::text AS k_name_en, NULL::int AS k_sort, NULL::int AS k_parent_sort, "
            "NULL::text AS k_parent_code"
        ),
    ),
    "day": Group("day", _BUCKET),
    "week": Group("week", _BUCKET),
    "month": Group("month", _BUCKET),
}
NAMES = tuple(GROUPS)
# What a grouping is called (the label column's header in exports).
LABELS = {
    "priority": gettext_lazy("Priority"),
    "category": gettext_lazy("Category"),
    "subcategory": gettext_lazy("Sub-category"),
    "site": gettext_lazy("Site"),
    "channel": gettext_lazy("Channel"),
    "engineer": gettext_lazy("Engineer"),
    "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
}


def group(name: str) -> Group:
    try:
        return GROUPS[name]
    except KeyError:
        raise ValueError(f"unknown group_by {name!r}; one of {NAMES}") from None


# --- naming and ordering the rows ----------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def key_and_label(name: str, row: dict[str, Any]) -> tuple[str, str]:
    """The row's raw key (``high``, a slug, a site code, a username, an ISO date; ``""``
    for "no site" / "unassigned") and its label for people, in the active language."""
    k = row["k"]
    if name == "priority":
        return k, str(Priority(k).label) if k in Priority.values else k
    if name == "channel":
        return k, str(Channel(k).label) if k in Channel.values else k
    if name in PERIODS:
        return k.isoformat(), period_label(name, k)
    if k is None:
        return "", _("No site") if name == "site" else _("Unassigned")
    if name in ("category", "subcategory"):
        label = row["k_name_en"] if _english() and row["k_name_en"] else row["k_name"]
        return row["k_code"], label
    return row["k_code"], row["k_name"] or row["k_code"]


def period_label(name: str, day: dt.date) -> str:
    if name == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if name == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def sort_key(name: str) -> Callable[[dict[str, Any]], Any]:
    """How the rows of ``name`` are ordered (every key is a tuple of comparable values)."""
    if name == "priority":
        order = {value: i for i, value in enumerate(Priority.values)}
        return lambda row: (order.get(row["k"], 99), row["k"])
    if name == "channel":
        order = {value: i for i, value in enumerate(Channel.values)}
        return lambda row: (order.get(row["k"], 99), row["k"])
    if name in PERIODS:
        return lambda row: (row["k"],)
    if name in ("category", "subcategory"):
        return lambda row: (
            row["k_parent_sort"] if row["k_parent_code"] else row["k_sort"] or 0,
            row["k_parent_code"] or row["k_code"] or "",
            1 if row["k_parent_code"] else 0,
            row["k_sort"] or 0,
            row["k_code"] or "",
        )
    if name == "engineer":  # by username, "unassigned" last
        return lambda row: (row["k"] is None, row["k_code"] or "")
    # site: by name (as the sites are listed everywhere) then code, "no site" last
    return lambda row: (row["k"] is None, row["k_name"] or "", row["k_code"] or "")


def all_keys(name: str, filters: Filters) -> Sequence[Any]:
    """The groups shown even without tickets: every priority or channel the filters allow,
    every day, week or month the period touches; nothing for the others."""
    if name == "priority":
        return [p for p in Priority.values if not filters.priorities or p in filters.priorities]
    if name == "channel":
        return [c for c in Channel.values if not filters.channels or c in filters.channels]
    if name not in PERIODS:
        return []
    keys: list[dt.date] = []
    if name == "day":
        day = filters.start
        while day <= filters.end:
            keys.append(day)
            day += dt.timedelta(days=1)
    elif name == "week":
        day = filters.start - dt.timedelta(days=filters.start.weekday())
        while day <= filters.end:
            keys.append(day)
            day += dt.timedelta(days=7)
    else:
        day = filters.start.replace(day=1)
        while day <= filters.end:
            keys.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
    return keys
