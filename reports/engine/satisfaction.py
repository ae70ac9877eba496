"""Satisfaction: the surveys of the period's tickets (by submission, like every report):
invited, answered, the average of each question and of all three, the spread of ratings
1–5 per question, and how many answers rated something 2 or less. One statement.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from reports.engine.rows import average, count, grouped, labelled, percent
from reports.engine.scope import Scope
from reports.engine.types import Column, Filters, Report

DIMENSIONS = [
    ("speed", _("Response speed")),
    ("quality", _("Solution quality")),
    ("attitude", _("Attitude")),
]
COLUMNS = [
    Column("invited", _("Surveys sent")),
    Column("answered", _("Surveys answered")),
    Column("answered_pct", _("Answered %"), "pct"),
    *(
        Column(f"{name}_avg", format_lazy(_("{question}: average"), question=label), "float")
        for name, label in DIMENSIONS
    ),
    Column("overall_avg", _("All three: average"), "float"),
    Column("low", _("Rated 2 or less")),
    *(
        Column(
            f"{name}_{score}",
            format_lazy(_("{question}: rated {score}"), question=label, score=score),
        )
        for name, label in DIMENSIONS
        for score in range(1, 6)
    ),
]
BASE_COLUMNS = "s.answered_at IS NOT NULL AS answered, s.speed, s.quality, s.attitude"
AGGREGATES = ", ".join(
    [
        "count(*) AS invited",
        "count(*) FILTER (WHERE answered) AS answered",
        *(f"avg({name}) FILTER (WHERE answered) AS {name}_avg" for name, _l in DIMENSIONS),
        "(sum(speed + quality + attitude) FILTER (WHERE answered))::numeric"
        " / nullif(3 * count(*) FILTER (WHERE answered), 0) AS overall_avg",
        "count(*) FILTER (WHERE answered AND least(speed, quality, attitude) <= 2) AS low",
        *(
            f"count(*) FILTER (WHERE answered AND {name} = {score}) AS {name}_{score}"
            for name, _l in DIMENSIONS
            for score in range(1, 6)
        ),
    ]
)
AVERAGES = [f"{name}_avg" for name, _l in DIMENSIONS] + ["overall_avg"]
SPREAD = [f"{name}_{score}" for name, _l in DIMENSIONS for score in range(1, 6)]


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    invited, answered = count(raw["invited"]), count(raw["answered"])
    return {
        "invited": invited,
        "answered": answered,
        "answered_pct": percent(answered, invited),
        **{key: average(raw[key]) for key in AVERAGES},
        "low": count(raw["low"]),
        **{key: count(raw[key]) for key in SPREAD},
    }


def satisfaction_report(filters: Filters, group_by: str = "month") -> Report:
    raw_rows, raw_total = grouped(
        group_by,
        Scope(filters),
        columns=BASE_COLUMNS,
        aggregates=AGGREGATES,
        source="reports_ticketfact f JOIN feedback_survey s ON s.ticket_id = f.ticket_id",
    )
    return Report(
        name="satisfaction",
        group_by=group_by,
        filters=filters,
        columns=COLUMNS,
        rows=[labelled(group_by, raw, _values(raw)) for raw in raw_rows],
        total={"key": "total", "label": str(_("Total")), **_values(raw_total)},
    )
