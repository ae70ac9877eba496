"""What a chart draws, as JSON for ``static/js/reports.js`` (the holder's ``data-spec``
attribute): the engine's rows, untouched.

A chart shows some columns of the table beside it (the same rows, the same values), so a
reader can check one against the other; the table stays the source of truth and the chart
carries an ``aria-label`` saying so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from reports.engine import Column
from reports.views.tables import pick, raw

# A unit shown after the numbers of an axis or a tooltip, per column kind.
UNITS: dict[str, str | Promise] = {"pct": "%", "minutes": gettext_lazy("min")}
# Series that mean something by colour keep it: priorities as their badges, ratings from
# red (1) to green (5). Anything else takes the page's palette in order.
COLOURS = {
    "high": "#d63939",
    "medium": "#f76707",
    "low": "#667382",
    "1": "#d63939",
    "2": "#f76707",
    "3": "#f59f00",
    "4": "#74b816",
    "5": "#2fb344",
}


@dataclass
class Chart:
    """One chart of a page: ``id`` names its JSON element, ``title`` and ``label`` are for
    people (the label is the chart's ``aria-label``)."""

    id: str
    title: str | Promise
    label: str
    spec: dict[str, Any] = field(default_factory=dict)
    small: bool = False

    @property
    def spec_json(self) -> str:
        """The spec as JSON for the holder's ``data-spec`` (the template escapes it)."""
        return json.dumps(self.spec, ensure_ascii=False)


def locale() -> str:
    """ECharts' own words (the few it shows) in the page's language."""
    return "ZH" if (get_language() or "").startswith("zh") else "EN"


def chart(
    chart_id: str,
    title: str | Promise,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    *,
    kind: str = "bar",
    stack: bool = False,
    top: float | None = None,
    small: bool = False,
) -> Chart:
    """One series per column named in ``keys``, one category per row (its ``label``).

    ``kind``: ``bar``, ``hbar`` (horizontal: long labels) or ``line`` (over time);
    ``stack`` piles the series up; ``top`` fixes the value axis' end (100 for a percentage
    unless given).
    """
    shown = pick(columns, keys)
    kinds = {c.kind for c in shown}
    unit = UNITS.get(next(iter(kinds)), "") if len(kinds) == 1 else ""
    spec: dict[str, Any] = {
        "kind": kind,
        "categories": [str(r.get("label", r.get("key", ""))) for r in rows],
        "series": [
            {
                "name": str(c.label),
                "data": [raw(r.get(c.key)) for r in rows],
                **({"stack": "total"} if stack else {}),
            }
            for c in shown
        ],
        "unit": str(unit),
        "locale": locale(),
    }
    if all(c.key in COLOURS for c in shown):
        spec["colors"] = [COLOURS[c.key] for c in shown]
    if top is not None:
        spec["max"] = top
    elif unit == "%":
        spec["max"] = 100
    return Chart(
        id=chart_id,
        title=title,
        label=_("Chart: %(title)s. The table below holds the same numbers.") % {"title": title},
        spec=spec,
        small=small,
    )
