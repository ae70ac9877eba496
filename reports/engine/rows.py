"""One grouped statement per report table, and the rounding every figure goes through.

``grouped`` runs ``GROUP BY GROUPING SETS ((k), ())``: the groups and the total row in one
statement (the total is computed over the tickets, never from the rows: a median of
medians is not a median), then names the keys by a join on the aggregated keys, so a
report's table is one query whatever the number of rows. Groups shown without tickets
(every priority, every day of the period …) are added as empty rows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from reports.engine.groups import PERIODS, all_keys, group, key_and_label, sort_key
from reports.engine.scope import Scope, day_start, fetch

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def grouped(
    group_by: str,
    scope: Scope,
    *,
    columns: str,
    aggregates: str,
    source: str = "reports_ticketfact f",
    where: str = "",
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Raw rows (``k`` plus the aggregates, in the group's order, empty groups filled with
    ``None``) and the raw total row. ``columns`` are what ``base`` exposes to
    ``aggregates``; ``where`` narrows further (``AND …``)."""
    g = group(group_by)
    keys = all_keys(group_by, scope.filters)
    params = dict(scope.params)
    if group_by in PERIODS:
        params["buckets"] = [day_start(day) for day in keys]
    sql = f"""
        WITH base AS (
            SELECT {g.key} AS k, {columns}
            FROM {source} {g.join}
            WHERE {scope.where()} {where}
        ), agg AS (
            SELECT k, GROUPING(k) AS is_total, {aggregates}
            FROM base GROUP BY GROUPING SETS ((k), ())
        )
        SELECT agg.*, {g.label_columns} FROM agg {g.label_join}
    """  # noqa: S608 (SQL assembled from this package's constants; values are parameters)
    found = run(sql, params)
    total = next((row for row in found if row["is_total"]), None)
    rows = [row for row in found if not row["is_total"]]
    if group_by in PERIODS:  # bucket index (1-based) -> the bucket's first day
        for row in rows:
            row["k"] = keys[row["k"] - 1]
    names = [name for name in (total or (found[0] if found else {})) if name != "is_total"]
    empty = dict.fromkeys(names)
    seen = {row["k"] for row in rows}
    rows += [{**empty, "k": k} for k in keys if k not in seen]
    rows.sort(key=sort_key(group_by))
    return rows, total or {**empty, "k": None}


def run(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """One report statement in a transaction whose sorts stay in memory
    (``REPORTS_WORK_MEM``, 64 MB by default) and that is not JIT-compiled (compiling costs
    more than it saves on these scans): the settings and the statement, two queries."""
    with transaction.atomic(savepoint=False):
        fetch(
            "SELECT set_config('work_mem', %(work_mem)s, true), set_config('jit', 'off', true)",
            {"work_mem": settings.REPORTS_WORK_MEM},
        )
        return fetch(sql, params)


def labelled(group_by: str, raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    key, label = key_and_label(group_by, raw)
    return {"key": key, "label": label, **values}


def count(value: Any) -> int:
    return int(value or 0)


def percent(part: int, whole: int) -> float | None:
    """``part`` ÷ ``whole`` × 100, rounded half up to one decimal; ``None`` when ``whole``
    is 0 (nothing to divide)."""
    if not whole:
        return None
    exact = Decimal(part * 100) / Decimal(whole)
    return float(exact.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def minutes(value: Any) -> float | None:
    """A time in minutes, rounded half up to one decimal."""
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def average(value: Any) -> float | None:
    """An average rating, rounded half up to two decimals."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP))
