"""A report's numbers as people read them: the engine's table, formatted cell by cell.

Nothing is computed here: every value is the engine's, only written for people (a
percentage and minutes with one decimal, "1 h 35 min" under the minutes, counts with digit
grouping, "—" for nothing yet). The raw value stays beside the text (``Cell.value``) for
the page's ``data-value`` attributes and the charts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format

from reports.engine import Column, Report
from sla.display import duration_text

DASH = "—"


def format_value(value: Any, kind: str) -> str:
    """``value`` of a column of ``kind`` (int, pct, minutes, float, text, date) for people."""
    if value is None or value == "":
        return DASH
    if kind == "pct":
        return f"{number_format(round(float(value), 1), 1)} %"
    if kind == "int":
        return number_format(int(value), 0, force_grouping=True)
    if kind == "float":
        return number_format(round(float(value), 2), 2)
    if kind == "minutes":
        return number_format(round(float(value), 1), 1, force_grouping=True)
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def raw(value: Any) -> Any:
    """A value as JSON carries it (the charts): numbers stay numbers, ``None`` stays null."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return float(value)  # Decimal
    except (TypeError, ValueError):
        return str(value)


def hint(value: Any, kind: str) -> str:
    """How people say an hour or more of minutes ("1 h 35 min"), shown under the number;
    nothing for less (the number says it already) or for other kinds."""
    if kind != "minutes" or value is None or float(value) < 60:
        return ""
    return duration_text(round(float(value) * 60))


@dataclass(frozen=True)
class Cell:
    key: str
    kind: str
    value: Any
    text: str
    hint: str = ""

    @property
    def is_number(self) -> bool:
        return self.kind in ("int", "pct", "minutes", "float")


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    cells: list[Cell]
    link: str = ""


@dataclass(frozen=True)
class Table:
    """The table of one report: the label column, then ``columns``; a total row if any."""

    label_header: Any
    columns: list[Column]
    lines: list[Line]
    total: Line | None

    @property
    def is_empty(self) -> bool:
        return not self.lines


def pick(columns: Sequence[Column], keys: Sequence[str] | None = None) -> list[Column]:
    """The ``columns`` named in ``keys`` (in that order), or all of them."""
    if keys is None:
        return list(columns)
    by_key = {c.key: c for c in columns}
    return [by_key[k] for k in keys if k in by_key]


def line(row: dict[str, Any], columns: Iterable[Column], *, link: str = "") -> Line:
    return Line(
        key=str(row.get("key", "")),
        label=str(row.get("label", row.get("key", ""))),
        cells=[
            Cell(
                c.key,
                c.kind,
                row.get(c.key),
                format_value(row.get(c.key), c.kind),
                hint(row.get(c.key), c.kind),
            )
            for c in columns
        ],
        link=link,
    )


def table(
    report: Report,
    keys: Sequence[str] | None = None,
    *,
    label_header: Any = "",
    links: dict[str, str] | None = None,
) -> Table:
    """The report's rows and total under the columns named in ``keys``."""
    return rows_table(
        report.columns, report.rows, report.total, keys, label_header=label_header, links=links
    )


def rows_table(
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    total: dict[str, Any] | None,
    keys: Sequence[str] | None = None,
    *,
    label_header: Any = "",
    links: dict[str, str] | None = None,
) -> Table:
    """Any table of the engine's (a report's ``extra`` has some): rows and a total row."""
    shown = pick(columns, keys)
    links = links or {}
    return Table(
        label_header=label_header,
        columns=shown,
        lines=[line(row, shown, link=links.get(str(row.get("key")), "")) for row in rows],
        total=line(total, shown) if total and rows else None,
    )
