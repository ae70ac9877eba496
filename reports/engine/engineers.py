"""Per engineer: the period's tickets assigned to each (their current assignee), cancelled
and merged ones left out: handled, resolved, compliance, times, ratings, and how many came
back after a rejected fix or a reopening. Unassigned tickets are in no row and not in the
total. One statement; then one more for the same engineers' training in the period
(``training.results``): sessions attended (starting in the period), the average score of
their technical and service assessments and of their drills (recorded in the period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import astuple
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from reports.engine.rows import average, count, grouped, labelled, percent
from reports.engine.scope import WITHDRAWN, Scope, day_start
from reports.engine.sla import BASE_COLUMNS as SLA_COLUMNS
from reports.engine.sla import percentiles, spread
from reports.engine.types import Column, Filters, Report
from training.results import Figures, figures_by_engineer

COLUMNS = [
    Column("handled", _("Handled")),
    Column("resolved", _("Resolved")),
    Column("response_met_pct", _("Response met %"), "pct"),
    Column("resolution_met_pct", _("Resolution met %"), "pct"),
    Column("response_minutes_median", _("Response median (working min)"), "minutes"),
    Column("response_minutes_p90", _("Response p90 (working min)"), "minutes"),
    Column("resolution_minutes_median", _("Resolution median (working min)"), "minutes"),
    Column("resolution_minutes_p90", _("Resolution p90 (working min)"), "minutes"),
    Column("surveys", _("Surveys answered")),
    Column("rating_avg", _("Average rating"), "float"),
    Column("low_ratings", _("Rated 2 or less")),
    Column("reopened", _("Reopened")),
    Column("reopened_pct", _("Reopened %"), "pct"),
    Column("trainings_attended", _("Trainings attended")),
    Column("assessment_avg", _("Average assessment score"), "float"),
    Column("drill_avg", _("Average drill score"), "float"),
]
BASE_COLUMNS = f"""{SLA_COLUMNS},
    f.resolved_at IS NOT NULL AS is_resolved, f.reopen_count,
    s.answered_at IS NOT NULL AS answered, s.speed, s.quality, s.attitude
"""
AGGREGATES = ", ".join(
    [
        "count(*) AS handled",
        "count(*) FILTER (WHERE is_resolved) AS resolved",
        "count(*) FILTER (WHERE response_met) AS response_met",
        "count(*) FILTER (WHERE response_breached) AS response_breached",
        "count(*) FILTER (WHERE resolution_met) AS resolution_met",
        "count(*) FILTER (WHERE resolution_breached) AS resolution_breached",
        percentiles("response_minutes", "response_minutes", "TRUE"),
        percentiles("resolution_minutes", "resolution_minutes", "TRUE"),
        "count(*) FILTER (WHERE answered) AS surveys",
        "(sum(speed + quality + attitude) FILTER (WHERE answered))::numeric"
        " / nullif(3 * count(*) FILTER (WHERE answered), 0) AS rating_avg",
        "count(*) FILTER (WHERE answered AND least(speed, quality, attitude) <= 2) AS low_ratings",
        "count(*) FILTER (WHERE reopen_count > 0) AS reopened",
    ]
)


def _mean(total: int, count: int) -> float | None:
    return average(Decimal(total) / Decimal(count)) if count else None


def _training(figures: Figures) -> dict[str, Any]:
    return {
        "trainings_attended": figures.attended,
        "assessment_avg": _mean(figures.assessment_total, figures.assessments),
        "drill_avg": _mean(figures.drill_total, figures.drills),
    }


def _summed(all_figures: list[Figures]) -> Figures:
    """The total row's training, over the engineers in the rows: sums, so its averages are
    exact (an average of averages is not an average)."""
    return Figures(*(sum(column) for column in zip(*map(astuple, all_figures), strict=True)))


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    handled = count(raw["handled"])
    out: dict[str, Any] = {"handled": handled, "resolved": count(raw["resolved"])}
    for clock in ("response", "resolution"):
        met, breached = count(raw[f"{clock}_met"]), count(raw[f"{clock}_breached"])
        out[f"{clock}_met_pct"] = percent(met, met + breached)
    out.update(spread(raw, "response_minutes"))
    out.update(spread(raw, "resolution_minutes"))
    reopened = count(raw["reopened"])
    out.update(
        surveys=count(raw["surveys"]),
        rating_avg=average(raw["rating_avg"]),
        low_ratings=count(raw["low_ratings"]),
        reopened=reopened,
        reopened_pct=percent(reopened, handled),
    )
    return out


def engineers_report(filters: Filters) -> Report:
    raw_rows, raw_total = grouped(
        "engineer",
        Scope(filters),
        columns=BASE_COLUMNS,
        aggregates=AGGREGATES,
        source="reports_ticketfact f LEFT JOIN feedback_survey s ON s.ticket_id = f.ticket_id",
        where=f"AND f.assignee_id IS NOT NULL AND NOT ({WITHDRAWN})",
    )
    ids = [raw["k"] for raw in raw_rows if raw["k"] is not None]
    start, end = day_start(filters.start), day_start(filters.end + dt.timedelta(days=1))
    figures = figures_by_engineer(ids, start, end)
    mine = [figures.get(pk, Figures()) for pk in ids]
    return Report(
        name="engineers",
        group_by="engineer",
        filters=filters,
        columns=COLUMNS,
        rows=[
            labelled(
                "engineer", raw, {**_values(raw), **_training(figures.get(raw["k"], Figures()))}
            )
            for raw in raw_rows
        ],
        total={
            "key": "total",
            "label": str(_("Total")),
            **_values(raw_total),
            **_training(_summed(mine)),
        },
    )
