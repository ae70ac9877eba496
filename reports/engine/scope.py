"""Which fact rows a report reads: ``Filters`` as a SQL condition with named parameters.

Everything the reports read goes through ``Scope``: the period (submission instants from
the desk's midnight of ``start`` to the desk's midnight after ``end``, so an index range
on ``submitted_at``) and the narrowing. Category slugs and usernames are resolved inside
the statement (sub-selects), so narrowing costs no query of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from reports.engine.params import desk_zone
from reports.engine.types import Filters

# Cancelled and merged tickets: counted in volume, left out of compliance and times.
WITHDRAWN = "f.closed_as IN ('cancelled', 'duplicate')"


def day_start(day: dt.date) -> dt.datetime:
    """The desk's midnight at the start of ``day``, as an aware instant."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=desk_zone())


@dataclass
class Scope:
    """The SQL condition of ``filters`` on the fact table aliased ``f``, and its params."""

    filters: Filters
    params: dict[str, Any] = field(default_factory=dict)
    narrowing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        f = self.filters
        self.params.update(
            start=day_start(f.start),
            end=day_start(f.end + dt.timedelta(days=1)),
            tz=str(desk_zone()),
            now=timezone.now(),
        )
        if f.sites is not None:
            self.params["sites"] = list(f.sites)
            self.narrowing.append("f.site_id = ANY(%(sites)s)")
        if f.categories:
            self.params["categories"] = list(f.categories)
            self.narrowing.append(
                "f.category_id IN (SELECT c.id FROM tickets_category c "
                "LEFT JOIN tickets_category p ON p.id = c.parent_id "
                "WHERE c.slug = ANY(%(categories)s) OR p.slug = ANY(%(categories)s))"
            )
        if f.priorities:
            self.params["priorities"] = list(f.priorities)
            self.narrowing.append("f.priority = ANY(%(priorities)s)")
        if f.channels:
            self.params["channels"] = list(f.channels)
            self.narrowing.append("f.channel = ANY(%(channels)s)")
        if f.engineers:
            self.params["engineers"] = list(f.engineers)
            self.narrowing.append(
                "f.assignee_id IN (SELECT u.id FROM accounts_user u "
                "WHERE u.username = ANY(%(engineers)s))"
            )

    @property
    def period(self) -> str:
        return "f.submitted_at >= %(start)s AND f.submitted_at < %(end)s"

    def where(self, *, period: bool = True) -> str:
        """The whole condition (without the period for the backlog's own ranges)."""
        parts = ([self.period] if period else []) + self.narrowing
        return " AND ".join(parts) or "TRUE"


def fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one statement and return its rows as dicts."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col.name for col in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
