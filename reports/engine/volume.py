"""Volume: tickets per group and each group's share of the period's tickets.

Every ticket of the period counts, cancelled and merged ones included (they were work
that came in). One statement.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from reports.engine.rows import count, grouped, labelled, percent
from reports.engine.scope import WITHDRAWN, Scope
from reports.engine.types import Column, Filters, Report

COLUMNS = [
    Column("tickets", _("Tickets")),
    Column("share_pct", _("Share %"), "pct"),
    Column("open", _("Still open")),
    Column("excluded", _("Cancelled or merged")),
]
BASE_COLUMNS = f"({WITHDRAWN}) AS withdrawn, (f.finished_at IS NULL) AS is_open"
AGGREGATES = (
    "count(*) AS tickets, count(*) FILTER (WHERE is_open) AS open, "
    "count(*) FILTER (WHERE withdrawn) AS excluded"
)


def volume_report(filters: Filters, group_by: str = "category") -> Report:
    raw_rows, raw_total = grouped(
        group_by, Scope(filters), columns=BASE_COLUMNS, aggregates=AGGREGATES
    )
    whole = count(raw_total["tickets"])

    def values(raw: dict[str, Any]) -> dict[str, Any]:
        tickets = count(raw["tickets"])
        return {
            "tickets": tickets,
            "share_pct": percent(tickets, whole),
            "open": count(raw["open"]),
            "excluded": count(raw["excluded"]),
        }

    return Report(
        name="volume",
        group_by=group_by,
        filters=filters,
        columns=COLUMNS,
        rows=[labelled(group_by, raw, values(raw)) for raw in raw_rows],
        total={"key": "total", "label": str(_("Total")), **values(raw_total)},
    )
