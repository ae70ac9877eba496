"""SLA compliance and times: met / breached / pending and met % for both clocks, median and
p90 in working and wall-clock minutes, per group, plus the breaches behind them.

Three queries whatever the period: the transaction's settings and the grouped table with its
total (``rows.run``), and the breaches (the first ``BREACHES_SHOWN`` in submission order; how
many there are in all is a column of the table's total).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reports.engine.groups import PERIODS
from reports.engine.rows import count, grouped, labelled, minutes, percent
from reports.engine.scope import WITHDRAWN, Scope, fetch
from reports.engine.types import Column, Filters, Report

BREACHES_SHOWN = 500

COLUMNS = [
    Column("tickets", _("Tickets")),
    Column("excluded", _("Cancelled or merged")),
    Column("response_met", _("Response met")),
    Column("response_breached", _("Response breached")),
    Column("response_pending", _("Response pending")),
    Column("response_met_pct", _("Response met %"), "pct"),
    Column("resolution_met", _("Resolution met")),
    Column("resolution_breached", _("Resolution breached")),
    Column("resolution_pending", _("Resolution pending")),
    Column("resolution_met_pct", _("Resolution met %"), "pct"),
    Column("response_minutes_median", _("Response median (working min)"), "minutes"),
    Column("response_minutes_p90", _("Response p90 (working min)"), "minutes"),
    Column("resolution_minutes_median", _("Resolution median (working min)"), "minutes"),
    Column("resolution_minutes_p90", _("Resolution p90 (working min)"), "minutes"),
    Column("response_wall_minutes_median", _("Response median (wall-clock min)"), "minutes"),
    Column("response_wall_minutes_p90", _("Response p90 (wall-clock min)"), "minutes"),
    Column("resolution_wall_minutes_median", _("Resolution median (wall-clock min)"), "minutes"),
    Column("resolution_wall_minutes_p90", _("Resolution p90 (wall-clock min)"), "minutes"),
]

# Per fact row: withdrawn (cancelled, merged), and the state of each clock.
BASE_COLUMNS = f"""
    ({WITHDRAWN}) AS withdrawn,
    coalesce(f.accepted_at <= f.response_due_at, false) AS response_met,
    coalesce(f.accepted_at > f.response_due_at
        OR (f.accepted_at IS NULL AND f.response_due_at < %(now)s), false) AS response_breached,
    coalesce(f.resolved_at <= f.resolution_due_at, false) AS resolution_met,
    coalesce(f.resolved_at > f.resolution_due_at
        OR (f.resolved_at IS NULL AND NOT f.on_hold AND f.resolution_due_at < %(now)s), false)
        AS resolution_breached,
    f.response_minutes, f.resolution_minutes,
    f.response_wall_minutes AS response_wall, f.resolution_wall_minutes AS resolution_wall
"""


def percentiles(column: str, name: str, only: str = "NOT withdrawn") -> str:
    """The median and p90 of ``column`` as one array (one sort for both)."""
    return (
        f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {column}) "
        f"FILTER (WHERE {only}) AS {name}"
    )


AGGREGATES = ", ".join(
    [
        "count(*) AS tickets",
        "count(*) FILTER (WHERE withdrawn) AS excluded",
        "count(*) FILTER (WHERE NOT withdrawn AND response_met) AS response_met",
        "count(*) FILTER (WHERE NOT withdrawn AND response_breached) AS response_breached",
        "count(*) FILTER (WHERE NOT withdrawn AND resolution_met) AS resolution_met",
        "count(*) FILTER (WHERE NOT withdrawn AND resolution_breached) AS resolution_breached",
        "count(*) FILTER (WHERE NOT withdrawn AND (response_breached OR resolution_breached))"
        " AS breached",
        percentiles("response_minutes", "response_minutes"),
        percentiles("resolution_minutes", "resolution_minutes"),
        percentiles("response_wall", "response_wall_minutes"),
        percentiles("resolution_wall", "resolution_wall_minutes"),
    ]
)
TIMES = [
    "response_minutes",
    "resolution_minutes",
    "response_wall_minutes",
    "resolution_wall_minutes",
]


def spread(raw: dict[str, Any], name: str) -> dict[str, float | None]:
    """``{name}_median`` and ``{name}_p90`` from the array ``raw[name]``."""
    found = raw[name] or [None, None]
    return {f"{name}_median": minutes(found[0]), f"{name}_p90": minutes(found[1])}


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    tickets, excluded = count(raw["tickets"]), count(raw["excluded"])
    counted = tickets - excluded
    out: dict[str, Any] = {"tickets": tickets, "excluded": excluded}
    for clock in ("response", "resolution"):
        met, breached = count(raw[f"{clock}_met"]), count(raw[f"{clock}_breached"])
        out[f"{clock}_met"] = met
        out[f"{clock}_breached"] = breached
        out[f"{clock}_pending"] = counted - met - breached
        out[f"{clock}_met_pct"] = percent(met, met + breached)
    for name in TIMES:
        out.update(spread(raw, name))
    return out


def _breaches(scope: Scope) -> list[dict[str, Any]]:
    """The first ``BREACHES_SHOWN`` breached tickets in submission order: the index on
    ``submitted_at`` is read in order and stops there, and only those rows meet the ticket
    table (how many there are in all comes from the table's total)."""
    found = fetch(
        f"""
        SELECT t.number, t.title, f.priority, f.submitted_at, f.response_due_at,
               f.accepted_at, f.resolution_due_at, f.resolved_at,
               s.code AS site, u.username AS assignee,
               b.response_breached, b.resolution_breached
        FROM reports_ticketfact f
        CROSS JOIN LATERAL (SELECT {BASE_COLUMNS}) b
        JOIN tickets_ticket t ON t.id = f.ticket_id
        LEFT JOIN accounts_site s ON s.id = f.site_id
        LEFT JOIN accounts_user u ON u.id = f.assignee_id
        WHERE {scope.where()} AND NOT b.withdrawn
          AND (b.response_breached OR b.resolution_breached)
        ORDER BY f.submitted_at, f.ticket_id
        LIMIT {BREACHES_SHOWN}
        """,  # noqa: S608 (constants of this module; values are parameters)
        scope.params,
    )
    for row in found:
        row["site"] = row["site"] or ""
        row["assignee"] = row["assignee"] or ""
        row["url"] = reverse("tickets:detail", args=[row["number"]])
    return found


def sla_report(filters: Filters, group_by: str = "priority") -> Report:
    scope = Scope(filters)
    raw_rows, raw_total = grouped(group_by, scope, columns=BASE_COLUMNS, aggregates=AGGREGATES)
    breaches = _breaches(scope)
    breaches_found = count(raw_total["breached"])
    total = {"key": "total", "label": str(_("Total")), **_values(raw_total)}
    return Report(
        name="sla",
        group_by=group_by,
        filters=filters,
        columns=COLUMNS,
        rows=[labelled(group_by, raw, _values(raw)) for raw in raw_rows],
        total=total,
        extra={
            "breaches": breaches,
            "breaches_found": breaches_found,
            "breaches_shown": min(breaches_found, BREACHES_SHOWN),
            "is_period": group_by in PERIODS,
        },
    )
