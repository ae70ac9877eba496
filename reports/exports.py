"""A report as a file: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese) and XLSX
(openpyxl), the same table and the same numbers as the JSON.

The table: the group's label (for people), its key (the raw value), then the report's
columns, headers in the active language; the rows in the engine's order, the total row
last. The CSV holds nothing but the table — no generation time — so the same period and
data give the same bytes. The workbook adds the breaches (SLA) or the ageing (backlog) on a
second sheet; numbers are numeric cells, times are in the reader's time zone.

Text a person typed (a title, a name) that starts like a formula (``=``, ``+``, ``-``,
``@``) is written as text: in the CSV with a leading apostrophe (OWASP's advice against
formula injection), in the workbook as a string cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.engine import Column, Report
from reports.engine.groups import LABELS

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TITLES = {
    "sla": _("SLA compliance"),
    "volume": _("Volume"),
    "backlog": _("Backlog"),
    "satisfaction": _("Satisfaction"),
    "engineers": _("Per engineer"),
}
NUMBER_FORMATS = {"pct": "0.0", "minutes": "0.0", "float": "0.00", "int": "0"}
BREACH_COLUMNS = [
    ("number", _("Number")),
    ("title", _("Title")),
    ("priority", _("Priority")),
    ("site", _("Site")),
    ("assignee", _("Assignee")),
    ("submitted_at", _("Submitted at")),
    ("response_due_at", _("Respond by")),
    ("accepted_at", _("Accepted at")),
    ("response_breached", _("Response breached")),
    ("resolution_due_at", _("Resolve by")),
    ("resolved_at", _("Resolved at")),
    ("resolution_breached", _("Resolution breached")),
]


def filename(report: Report, extension: str) -> str:
    """``sla-priority_2026-11-01_2026-11-30.csv``: the report, its grouping, its period."""
    grouping = f"-{report.group_by}" if report.name in ("sla", "volume", "satisfaction") else ""
    period = f"{report.filters.start.isoformat()}_{report.filters.end.isoformat()}"
    return f"{report.name}{grouping}_{period}.{extension}"


def _headers(report: Report) -> list[str]:
    first = LABELS.get(report.group_by, _("Group"))
    return [str(first), str(_("Code")), *(str(c.label) for c in report.columns)]


def _lines(report: Report) -> list[list[Any]]:
    keys = [c.key for c in report.columns]
    rows = [*report.rows, report.total]
    return [[row["label"], row["key"], *(row.get(key) for key in keys)] for row in rows]


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return _safe_text(str(value))


def to_csv(report: Report) -> bytes:
    """The report's table as CSV bytes: BOM, header row, rows, total row; CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe_text(h) for h in _headers(report)])
    for line in _lines(report):
        writer.writerow([_csv_cell(value) for value in line])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _local(value: dt.datetime) -> dt.datetime:
    """An instant as a naive time in the reader's zone (Excel has no time zones)."""
    return timezone.localtime(value).replace(tzinfo=None)


def _put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str = "") -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, dt.datetime):
        cell.value = _local(value)
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever it starts with
    else:
        cell.value = value
        if number_format and isinstance(value, int | float) and not isinstance(value, bool):
            cell.number_format = number_format


def _write_table(
    sheet: Worksheet, headers: Sequence[str], lines: Sequence[Sequence[Any]], formats: list[str]
) -> None:
    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        _put(sheet, 1, column, header)
        sheet.cell(row=1, column=column).font = bold
        sheet.column_dimensions[get_column_letter(column)].width = max(
            10, min(40, len(header) * 1.6)
        )
    for row, line in enumerate(lines, start=2):
        for column, value in enumerate(line, start=1):
            _put(sheet, row, column, value, formats[column - 1] if column <= len(formats) else "")
    sheet.freeze_panes = "C2"


def _formats(columns: Sequence[Column]) -> list[str]:
    return ["", "", *(NUMBER_FORMATS.get(c.kind, "") for c in columns)]


def to_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: the table (total row in bold) and, for the SLA
    report its breaches, for the backlog its ageing, on a second sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook always has its first sheet)
    sheet.title = _sheet_title(TITLES.get(report.name, report.name))
    lines = _lines(report)
    _write_table(sheet, _headers(report), lines, _formats(report.columns))
    for cell in sheet[len(lines) + 1]:
        cell.font = Font(bold=True)
    if report.name == "sla":
        breaches = book.create_sheet(_sheet_title(_("Breaches")))
        _write_table(
            breaches,
            [str(label) for _key, label in BREACH_COLUMNS],
            [[row[key] for key, _label in BREACH_COLUMNS] for row in report.extra["breaches"]],
            [],
        )
    if report.name == "backlog":
        ageing = book.create_sheet(_sheet_title(_("Ageing")))
        columns: list[Column] = report.extra["ageing_columns"]
        rows = [*report.extra["ageing"], report.extra["ageing_total"]]
        _write_table(
            ageing,
            [str(_("Age")), str(_("Code")), *(str(c.label) for c in columns)],
            [[row["label"], row["key"], *(row[c.key] for c in columns)] for row in rows],
            _formats(columns),
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: Any) -> str:
    """Excel's sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))
    return cleaned[:31] or "Report"
