"""Backlog: the tickets open at the end of each day of the period, and the open tickets now
by age.

A ticket is open from its submission until it leaves the backlog (``finished_at``: verified,
or closed without verification — cancelled, merged). Open at the end of a day ``D`` = tickets
submitted before the desk's midnight after ``D`` and not finished by then. The period
filters the days shown, not the tickets (a ticket filed last year and still open counts);
the other filters narrow the tickets. Days after today are not shown; today's row is the
backlog now. The total row: ``open`` at the end of the last day shown, ``submitted`` and
``finished`` summed over the days.

A ticket reopened after verification counts as open from its submission until its new
verification (its earlier verification is history the fact does not keep).

Two statements: the days (one pass over the tickets open at the period's start or
submitted or finished in it) and the ageing buckets (over the open tickets' index).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.engine.params import desk_zone
from reports.engine.scope import Scope, day_start, fetch
from reports.engine.types import Column, Filters, Report
from tickets.choices import Priority

COLUMNS = [
    Column("open", _("Open at the end of the day")),
    Column("submitted", _("Submitted that day")),
    Column("finished", _("Closed that day")),
]
AGEING_COLUMNS = [
    Column("tickets", _("Open tickets")),
    *(Column(p.value, p.label) for p in Priority),
]
# (key, label, lower bound in days, upper bound in days or None)
BUCKETS = [
    ("lt_1d", _("Less than 1 day"), 0, 1),
    ("1d_3d", _("1 to 3 days"), 1, 3),
    ("3d_7d", _("3 to 7 days"), 3, 7),
    ("7d_30d", _("7 to 30 days"), 7, 30),
    ("ge_30d", _("30 days or more"), 30, None),
]


def _days(scope: Scope, last: dt.date) -> list[dict[str, Any]]:
    start = scope.filters.start
    params = {
        **scope.params,
        "until": min(day_start(last + dt.timedelta(days=1)), scope.params["now"]),
    }
    found = fetch(
        f"""
        WITH rel AS (
            SELECT f.submitted_at, f.finished_at FROM reports_ticketfact f
            WHERE {scope.where(period=False)} AND f.submitted_at < %(until)s
              AND (f.finished_at IS NULL OR f.finished_at >= %(start)s)
        )
        SELECT d, sum(s)::int AS submitted, sum(x)::int AS finished FROM (
            SELECT (submitted_at AT TIME ZONE %(tz)s)::date AS d, 1 AS s, 0 AS x
              FROM rel WHERE submitted_at >= %(start)s
            UNION ALL
            SELECT (finished_at AT TIME ZONE %(tz)s)::date, 0, 1
              FROM rel WHERE finished_at < %(until)s
            UNION ALL
            SELECT NULL, 1, 0 FROM rel WHERE submitted_at < %(start)s
        ) moves GROUP BY d
        """,  # noqa: S608 (constants of this package; values are parameters)
        params,
    )
    by_day = {row["d"]: row for row in found}
    before = by_day.get(None, {"submitted": 0})["submitted"]
    rows, open_now, day = [], before, start
    while day <= last:
        moves = by_day.get(day, {"submitted": 0, "finished": 0})
        open_now += moves["submitted"] - moves["finished"]
        rows.append(
            {
                "key": day.isoformat(),
                "label": day.isoformat(),
                "open": open_now,
                "submitted": moves["submitted"],
                "finished": moves["finished"],
            }
        )
        day += dt.timedelta(days=1)
    return rows


def _ageing(scope: Scope) -> list[dict[str, Any]]:
    cases = []
    for key, _label, low, high in BUCKETS:
        upper = f"AND age < interval '{high} days'" if high is not None else ""
        cases.append(f"WHEN age >= interval '{low} days' {upper} THEN '{key}'")
    found = fetch(
        f"""
        SELECT bucket, priority, count(*)::int AS n FROM (
            SELECT f.priority, CASE {" ".join(cases)} END AS bucket
            FROM reports_ticketfact f
            CROSS JOIN LATERAL (SELECT %(now)s - f.submitted_at AS age) a
            WHERE f.finished_at IS NULL AND {scope.where(period=False)}
        ) x GROUP BY bucket, priority
        """,  # noqa: S608 (constants of this module; values are parameters)
        scope.params,
    )
    counts = {(row["bucket"], row["priority"]): row["n"] for row in found}
    rows = []
    for key, label, _low, _high in BUCKETS:
        per = {p: counts.get((key, p), 0) for p in Priority.values}
        rows.append({"key": key, "label": str(label), "tickets": sum(per.values()), **per})
    return rows


def backlog_report(filters: Filters) -> Report:
    scope = Scope(filters)
    today = timezone.now().astimezone(desk_zone()).date()
    last = min(filters.end, today)
    rows = _days(scope, last) if last >= filters.start else []
    total = {
        "key": "total",
        "label": str(_("Total")),
        "open": rows[-1]["open"] if rows else None,
        "submitted": sum(row["submitted"] for row in rows),
        "finished": sum(row["finished"] for row in rows),
    }
    ageing = _ageing(scope)
    ageing_total = {
        "key": "total",
        "label": str(_("Total")),
        **{c.key: sum(row[c.key] for row in ageing) for c in AGEING_COLUMNS},
    }
    return Report(
        name="backlog",
        group_by="day",
        filters=filters,
        columns=COLUMNS,
        rows=rows,
        total=total,
        extra={"ageing": ageing, "ageing_total": ageing_total, "ageing_columns": AGEING_COLUMNS},
    )
