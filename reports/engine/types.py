"""What a report is made of: the filters it was asked with and the table it answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Filters:
    """A period of submission dates in the desk's zone (both ends inclusive) and the
    optional narrowing the pages and the API offer. Empty tuples mean "all"; ``sites`` is
    ``None`` for every site, or the ids a site-limited viewer may see (already intersected
    with what was asked)."""

    start: dt.date
    end: dt.date
    sites: tuple[int, ...] | None = None
    categories: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    engineers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translation
    kind: str = "int"  # int | pct | minutes | float | text | date


@dataclass
class Report:
    """``rows``: one dict per group, keyed by the columns' keys plus ``key`` (the raw value:
    ``high``, a category slug, a site code, a username, an ISO date) and ``label`` (for
    people); ``total``: the same keys over every row (``key`` = ``"total"``); ``extra``:
    what a report adds beside its table (the breaches list, ageing buckets)."""

    name: str
    group_by: str
    filters: Filters
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
