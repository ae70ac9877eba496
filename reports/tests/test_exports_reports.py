"""The export files themselves: names, the byte-order mark, numbers as numbers, text that
looks like a formula stays text, the second sheets."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports import engine, exports
from reports.engine import Column, Filters, Report
from reports.engine.params import filters_from
from reports.tests.factories_engine import NOW, OCTOBER, at, october
from tests.clock import sh

pytestmark = pytest.mark.django_db

PERIOD = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))


def small_report(label: str = "Hardware") -> Report:
    return Report(
        name="volume",
        group_by="category",
        filters=PERIOD,
        columns=[Column("tickets", "Tickets"), Column("share_pct", "Share %", "pct")],
        rows=[{"key": "hardware", "label": label, "tickets": 3, "share_pct": 33.3}],
        total={"key": "total", "label": "Total", "tickets": 9, "share_pct": 100.0},
    )


def test_file_names_carry_the_report_grouping_and_period():
    # then
    assert exports.filename(small_report(), "csv") == "volume-category_2026-10-01_2026-10-31.csv"
    backlog = Report("backlog", "day", PERIOD, [], [], {})
    assert exports.filename(backlog, "xlsx") == "backlog_2026-10-01_2026-10-31.xlsx"


def test_csv_starts_with_a_byte_order_mark_and_ends_lines_with_crlf():
    # when
    with translation.override("en"):
        body = exports.to_csv(small_report())

    # then
    assert body == (
        b"\xef\xbb\xbfCategory,Code,Tickets,Share %\r\n"
        b"Hardware,hardware,3,33.3\r\n"
        b"Total,total,9,100.0\r\n"
    )


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"])
def test_text_that_looks_like_a_formula_stays_text(typed):
    # given: a category named by someone as a formula
    report = small_report(label=typed)

    # when
    csv_text = exports.to_csv(report).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(report))).worksheets[0]

    # then
    assert next(csv.reader(io.StringIO(csv_text.splitlines()[1])))[0] == "'" + typed
    cell = sheet.cell(row=2, column=1)
    assert cell.value == typed
    assert cell.data_type == "s"


def test_xlsx_numbers_are_numbers_and_the_total_is_bold():
    # when
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(small_report()))).worksheets[0]

    # then
    assert [c.value for c in sheet[2]] == ["Hardware", "hardware", 3, 33.3]
    assert sheet.cell(row=2, column=4).number_format == "0.0"
    assert sheet.cell(row=3, column=1).font.b is True
    assert sheet.freeze_panes == "C2"


@pytest.mark.usefixtures("seeded_calendar")
def test_the_backlog_workbook_has_its_ageing_sheet(alice, bob, erin, tom, dave):
    # given
    october(alice, bob, erin, tom)
    filters = filters_from(OCTOBER, dave)

    # when
    with translation.override("en"):
        report = at(NOW, engine.backlog_report, filters)
        book = load_workbook(io.BytesIO(exports.to_xlsx(report)))

    # then
    assert [sheet.title for sheet in book.worksheets] == ["Backlog", "Ageing"]
    ageing = list(book.worksheets[1].iter_rows(values_only=True))
    assert ageing[0] == ("Age", "Code", "Open tickets", "High", "Medium", "Low")
    assert ageing[2] == ("1 to 3 days", "1d_3d", 3, 0, 1, 2)
    assert ageing[-1][:3] == ("Total", "total", 6)


@pytest.mark.usefixtures("seeded_calendar")
def test_breach_times_are_in_the_readers_zone(alice, bob, erin, tom, dave, settings):
    # given: a reader in Shanghai (the desk's zone)
    desk = october(alice, bob, erin, tom)
    filters = filters_from(OCTOBER, dave)

    # when
    with translation.override("en"):
        report = at(NOW, engine.sla_report, filters, "priority")
        book = load_workbook(io.BytesIO(exports.to_xlsx(report)))

    # then: T2 was submitted 10:00 on 13 October, Shanghai time
    breaches = list(book.worksheets[1].iter_rows(values_only=True))
    assert breaches[1][0] == desk.tickets["T2"].number
    assert breaches[1][5] == sh(2026, 10, 13, 10, 0).replace(tzinfo=None)
