"""Each report page's tables and charts, from the engine's ``Report`` as it came.

Only shaping happens here: which columns a page shows, which of them a chart draws, the
total's spread of ratings laid out as a small table, the sentence that reads a volume share
aloud. Every number is the engine's.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.engine import Column, Filters, Report
from reports.views import catalogue, periods
from reports.views.charts import chart
from reports.views.common import query_of
from reports.views.tables import format_value, rows_table, table

# The column a report counts its tickets in: zero there means nothing matched.
COUNTED = {"sla": "tickets", "volume": "tickets", "satisfaction": "invited", "engineers": "handled"}

SLA_KEYS = [
    "tickets",
    "excluded",
    "response_met",
    "response_breached",
    "response_pending",
    "response_met_pct",
    "resolution_met",
    "resolution_breached",
    "resolution_pending",
    "resolution_met_pct",
]
RESPONSE_TIMES = [
    "response_minutes_median",
    "response_minutes_p90",
    "response_wall_minutes_median",
    "response_wall_minutes_p90",
]
RESOLUTION_TIMES = [
    "resolution_minutes_median",
    "resolution_minutes_p90",
    "resolution_wall_minutes_median",
    "resolution_wall_minutes_p90",
]
SATISFACTION_KEYS = [
    "invited",
    "answered",
    "answered_pct",
    "speed_avg",
    "quality_avg",
    "attitude_avg",
    "overall_avg",
    "low",
]
AVERAGES = ["speed_avg", "quality_avg", "attitude_avg", "overall_avg"]
DIMENSIONS = [
    ("speed", gettext_lazy("Response speed")),
    ("quality", gettext_lazy("Solution quality")),
    ("attitude", gettext_lazy("Attitude")),
]
SCORES = range(1, 6)
SENTENCES_SHOWN = 3


def is_empty(report: Report) -> bool:
    """No ticket matched: the page says so instead of drawing zeros."""
    if report.name == "backlog":
        ageing = report.extra.get("ageing_total") or {}
        moved = any(row.get("open") or row.get("submitted") for row in report.rows)
        return not moved and not ageing.get("tickets")
    counted = COUNTED.get(report.name, "tickets")
    return not (report.total or {}).get(counted)


def _group_header(report: Report) -> Any:
    return catalogue.GROUP_LABELS.get(report.group_by, "")


def _over_time(report: Report) -> bool:
    return report.group_by in catalogue.TIME_GROUPS


def sla(report: Report, filters: Filters) -> dict[str, Any]:
    kind = "line" if _over_time(report) else "bar"
    breaches = report.extra.get("breaches", [])
    return {
        "table": table(report, SLA_KEYS, label_header=_group_header(report)),
        "charts": [
            chart(
                "chart-sla",
                _("Response and resolution met %% by %(group)s")
                % {"group": str(_group_header(report)).lower()},
                report.columns,
                report.rows,
                ["response_met_pct", "resolution_met_pct"],
                kind=kind,
            )
        ],
        "breaches": breaches,
        "breaches_found": report.extra.get("breaches_found", len(breaches)),
    }


def times(report: Report, filters: Filters) -> dict[str, Any]:
    kind = "line" if _over_time(report) else "bar"
    return {
        "table": table(
            report,
            ["tickets", *RESPONSE_TIMES, *RESOLUTION_TIMES],
            label_header=_group_header(report),
        ),
        "charts": [
            chart(
                "chart-response-times",
                _("Response: median and p90, in minutes"),
                report.columns,
                report.rows,
                RESPONSE_TIMES,
                kind=kind,
            ),
            chart(
                "chart-resolution-times",
                _("Resolution: median and p90, in minutes"),
                report.columns,
                report.rows,
                RESOLUTION_TIMES,
                kind=kind,
            ),
        ],
    }


def _when(filters: Filters) -> str:
    """The period in words for a sentence: "this month", or its first and last day."""
    named = periods.named(filters.start, filters.end)
    phrases = {
        "this_week": _("this week"),
        "last_week": _("last week"),
        "this_month": _("this month"),
        "last_month": _("last month"),
    }
    if named is not None:
        return phrases[named.key]
    return _("from %(start)s to %(end)s") % {
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
    }


def shares_in_words(report: Report, filters: Filters) -> list[str]:
    """ "Network: 30.0 % of the tickets this month (12 of 40)." for the largest groups."""
    total = report.total.get("tickets")
    biggest = sorted(
        (row for row in report.rows if row.get("tickets")),
        key=lambda row: -int(row["tickets"]),
    )[:SENTENCES_SHOWN]
    when = _when(filters)
    return [
        _("%(label)s: %(share)s of the tickets %(when)s (%(count)s of %(total)s).")
        % {
            "label": row["label"],
            "share": format_value(row.get("share_pct"), "pct"),
            "when": when,
            "count": format_value(row["tickets"], "int"),
            "total": format_value(total, "int"),
        }
        for row in biggest
    ]


def volume(report: Report, filters: Filters) -> dict[str, Any]:
    return {
        "table": table(report, label_header=_group_header(report)),
        "charts": [
            chart(
                "chart-volume",
                _("Tickets by %(group)s") % {"group": str(_group_header(report)).lower()},
                report.columns,
                report.rows,
                ["tickets"],
                kind="hbar",
            )
        ],
        "sentences": shares_in_words(report, filters),
    }


def backlog(report: Report, filters: Filters) -> dict[str, Any]:
    ageing_columns: list[Column] = report.extra.get("ageing_columns", [])
    ageing_rows = report.extra.get("ageing", [])
    priorities = [c.key for c in ageing_columns if c.key != "tickets"]
    return {
        "table": table(report, label_header=_("Day")),
        "ageing": rows_table(
            ageing_columns,
            ageing_rows,
            report.extra.get("ageing_total"),
            label_header=_("Age"),
        ),
        "charts": [
            chart(
                "chart-backlog",
                _("Open at the end of each day"),
                report.columns,
                report.rows,
                ["open"],
                kind="line",
            ),
            chart(
                "chart-ageing",
                _("Open tickets now, by age and priority"),
                ageing_columns,
                ageing_rows,
                priorities,
                kind="bar",
                stack=True,
            ),
        ],
    }


def spread(report: Report) -> dict[str, Any]:
    """The total's ratings 1–5 per question as a table: a row per question."""
    total = report.total or {}
    columns = [Column(str(score), str(score)) for score in SCORES]
    rows = [
        {"key": name, "label": str(label), **{str(s): total.get(f"{name}_{s}") for s in SCORES}}
        for name, label in DIMENSIONS
    ]
    return {"columns": columns, "rows": rows}


def satisfaction(report: Report, filters: Filters) -> dict[str, Any]:
    """Surveys and averages per group, the spread of ratings; the charts only once someone
    answered (averages of nothing would draw an empty frame)."""
    kind = "line" if _over_time(report) else "bar"
    ratings = spread(report)
    answered = bool((report.total or {}).get("answered"))
    charts = [
        chart(
            "chart-satisfaction",
            _("Average rating (1–5) by %(group)s") % {"group": str(_group_header(report)).lower()},
            report.columns,
            report.rows,
            AVERAGES,
            kind=kind,
            top=5,
        ),
        chart(
            "chart-spread",
            _("Ratings given, per question"),
            ratings["columns"],
            ratings["rows"],
            [str(s) for s in SCORES],
            kind="hbar",
            stack=True,
        ),
    ]
    return {
        "table": table(report, SATISFACTION_KEYS, label_header=_group_header(report)),
        "spread": rows_table(ratings["columns"], ratings["rows"], None, label_header=_("Question")),
        "charts": charts if answered else [],
        "answered": answered,
    }


def engineers(report: Report, filters: Filters) -> dict[str, Any]:
    """Each engineer's row links to the SLA page narrowed to them."""
    period = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    sla_url = reverse("reports:sla")
    links = {
        str(row["key"]): f"{sla_url}?{query_of(period, engineer=str(row['key']))}"
        for row in report.rows
        if row.get("key")
    }
    return {
        "table": table(report, label_header=_("Engineer"), links=links),
        "charts": [
            chart(
                "chart-engineers",
                _("Tickets handled and resolved"),
                report.columns,
                report.rows,
                ["handled", "resolved"],
                kind="hbar",
            )
        ],
    }
