"""The report pages render the engine's numbers: October 2026 (``factories_engine``), whose
figures were worked out by hand there, read on Monday 2 November at 09:20.

Each page is read as a person reads it: the table's cells (``data-column`` under a row's
``data-key``), the words beside them, the links; the filters go through the address.
"""

from __future__ import annotations

import html as html_text
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.test import Client

from reports.tests.factories_engine import NOW, OCTOBER, october

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

PAGES = ["dashboard", "sla", "times", "volume", "backlog", "satisfaction", "engineers"]


class Tables(HTMLParser):
    """Every table with an id: ``{table id: {row key: {column: (text, data-value)}}}``."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, dict[str, tuple[str, str | None]]]] = {}
        self._table: str | None = None
        self._row: str | None = None
        self._cell: tuple[str, str | None] | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("id"):
            self._table = str(found["id"])
            self.tables[self._table] = {}
        elif tag == "tr" and self._table and found.get("data-key") is not None:
            self._row = str(found["data-key"])
            self.tables[self._table][self._row] = {}
        elif tag == "td" and self._row is not None and found.get("data-column"):
            self._cell = (str(found["data-column"]), found.get("data-value"))
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table and self._row is not None:
            column, value = self._cell
            text = " ".join(" ".join(self._text).split())
            self.tables[self._table][self._row][column] = (text, value)
            self._cell = None
        elif tag == "table":
            self._table = None
            self._row = None


def read(client: Client, path: str, **params: Any) -> tuple[int, str]:
    """The page at ``path`` with ``params``, read at ``NOW`` in English."""
    with time_machine.travel(NOW, tick=False):
        response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, response.content.decode()


def cells(html: str, table: str = "report-table") -> dict[str, dict[str, str]]:
    """The texts of a table's cells by row key and column."""
    found = Tables(html).tables[table]
    return {row: {col: text for col, (text, _v) in cols.items()} for row, cols in found.items()}


def chart_spec(html: str, chart: str) -> dict[str, Any]:
    """What the chart ``chart`` draws: its holder's ``data-spec``, as the browser reads it."""
    found = re.search(rf'data-chart="{chart}" data-spec="([^"]*)"', html)
    assert found is not None, chart
    return dict(json.loads(html_text.unescape(found.group(1))))


@pytest.fixture
def desk(alice, bob, erin, tom, dave):
    return october(alice, bob, erin, tom)


@pytest.fixture
def manager(web, dave) -> Client:
    return web(dave)


def test_sla_page_shows_the_engines_compliance_and_breaches(desk, manager):
    # when
    status, html = read(manager, "/reports/sla/", **OCTOBER)

    # then: the hand-worked figures of October, as people read them
    assert status == 200
    table = cells(html)
    assert list(table) == ["high", "medium", "low", "total"]
    assert table["total"]["tickets"] == "9"
    assert table["total"]["excluded"] == "1"
    assert table["total"]["response_met_pct"] == "71.4 %"
    assert table["total"]["resolution_met_pct"] == "80.0 %"
    assert table["total"]["response_pending"] == "1"
    assert table["medium"]["response_met_pct"] == "66.7 %"
    assert table["low"]["response_met_pct"] == "—"  # nothing decided
    # the breaches behind them, each a link to its ticket
    t = desk.tickets
    for name in ("T2", "T3", "T6"):
        assert f'href="/tickets/{t[name].number}/"' in html
    assert re.findall(r'data-number="([^"]+)"', html) == [
        t["T2"].number,
        t["T3"].number,
        t["T6"].number,
    ]
    # the chart draws the same percentages as the table
    spec = chart_spec(html, "chart-sla")
    assert spec["categories"] == ["High", "Medium", "Low"]
    assert [series["data"] for series in spec["series"]] == [
        [100.0, 66.7, None],
        [100.0, 75.0, None],
    ]
    assert "How these numbers are counted" in html


def test_times_page_shows_working_and_wall_clock_minutes(desk, manager):
    # when
    status, html = read(manager, "/reports/times/", **OCTOBER)

    # then: the medians and p90s, one decimal, with the hours spelled out under them
    assert status == 200
    total = cells(html)["total"]
    assert total["response_minutes_median"] == "15.0"
    assert total["response_minutes_p90"] == "30.0"
    assert total["resolution_minutes_median"] == "210.0 3 h 30 min"
    assert total["resolution_minutes_p90"] == "504.0 8 h 24 min"
    assert total["response_wall_minutes_p90"] == "2,160.0 1 d 12 h"
    assert total["resolution_wall_minutes_median"] == "1,740.0 1 d 5 h"


def test_volume_page_says_each_share_in_words(desk, manager):
    # when
    status, html = read(manager, "/reports/volume/", **OCTOBER)

    # then: hardware 3, software 2, network 3, permissions 1 of 9 (T9 cancelled counts)
    assert status == 200
    table = cells(html)
    assert [(key, row["tickets"], row["share_pct"]) for key, row in table.items()] == [
        ("hardware", "3", "33.3 %"),
        ("software", "2", "22.2 %"),
        ("network", "3", "33.3 %"),
        ("permission", "1", "11.1 %"),
        ("total", "9", "100.0 %"),
    ]
    # October is "last month" on 2 November
    assert "Hardware: 33.3 % of the tickets last month (3 of 9)." in html
    assert "Network: 33.3 % of the tickets last month (3 of 9)." in html


def test_volume_by_channel_names_the_period_by_its_dates(desk, manager):
    # when: not a period with a name
    status, html = read(
        manager,
        "/reports/volume/",
        group_by="channel",
        **{"from": "2026-10-12", "to": "2026-10-18"},
    )

    # then: T1 T2 T3 on the web, T4 by IM
    assert status == 200
    assert cells(html)["web"]["tickets"] == "3"
    assert "Web: 75.0 % of the tickets from 2026-10-12 to 2026-10-18 (3 of 4)." in html


def test_backlog_page_shows_each_day_and_the_ageing(desk, manager):
    # when
    status, html = read(manager, "/reports/backlog/", **OCTOBER)

    # then: open at the end of 31 October: T0, T2 (awaiting verification), T6, T7, T12
    assert status == 200
    days = cells(html)
    assert len(days) == 32  # 31 days and the total
    assert days["2026-10-31"]["open"] == "5"
    assert days["2026-10-05"]["submitted"] == "1"  # T5, on a holiday
    # open now (2 November 09:20): the same five and T8
    ageing = cells(html, "ageing-table")
    assert ageing["total"]["tickets"] == "6"


def test_satisfaction_page_shows_averages_and_the_spread(desk, manager):
    # when
    status, html = read(manager, "/reports/satisfaction/", **OCTOBER)

    # then: T1 5/4/5, T3 2/3/4, T4 4/4/3 answered; T5 sent, not answered
    assert status == 200
    total = cells(html)["total"]
    assert (total["invited"], total["answered"], total["answered_pct"]) == ("4", "3", "75.0 %")
    assert (total["speed_avg"], total["quality_avg"], total["attitude_avg"]) == (
        "3.67",
        "3.67",
        "4.00",
    )
    assert total["overall_avg"] == "3.78"  # 34 / 9
    assert total["low"] == "1"
    spread = cells(html, "spread-table")
    assert [spread["speed"][str(score)] for score in range(1, 6)] == ["0", "1", "0", "1", "1"]
    assert chart_spec(html, "chart-satisfaction")["max"] == 5


def test_engineers_page_links_each_engineer_to_their_compliance(desk, manager):
    # when
    status, html = read(manager, "/reports/engineers/", **OCTOBER)

    # then: bob T1 T2 T5, erin T3 T12, tom T4; unassigned tickets are in no row
    assert status == 200
    table = cells(html)
    assert [(key, row["handled"]) for key, row in table.items()] == [
        ("bob", "3"),
        ("erin", "2"),
        ("tom", "1"),
        ("total", "6"),
    ]
    assert table["tom"]["reopened"] == "1"  # T4's rejected fix
    # training in the period: none here (training/tests and test_engine_reports have some)
    assert (table["bob"]["trainings_attended"], table["bob"]["drill_avg"]) == ("0", "—")
    assert 'href="/reports/sla/?from=2026-10-01&amp;to=2026-10-31&amp;engineer=erin"' in html


def test_filters_reach_the_engine_the_controls_and_the_exports(desk, manager):
    # when: the Beijing site's medium tickets
    status, html = read(manager, "/reports/sla/", site="bj", priority="medium", **OCTOBER)

    # then: T3, T5, T12 only; the controls say what was asked
    assert status == 200
    table = cells(html)
    assert list(table) == ["medium", "total"]
    assert table["total"]["tickets"] == "3"
    assert '<option value="bj" selected>' in html
    assert '<option value="medium" selected>' in html
    assert 'value="2026-10-01"' in html and 'value="2026-10-31"' in html
    # the exports ask the API the same question
    query = (
        "from=2026-10-01&amp;to=2026-10-31&amp;site=bj&amp;priority=medium&amp;group_by=priority"
    )
    assert f'href="/api/v1/reports/sla/?{query}&amp;format=csv"' in html
    assert f'href="/api/v1/reports/sla/?{query}&amp;format=xlsx"' in html
    # the quick picks keep the filters and change the period
    assert "?from=2026-10-01&amp;to=2026-10-31&amp;site=bj&amp;priority=medium" in html


def test_grouping_by_week_keys_rows_by_their_monday(desk, manager):
    # when
    status, html = read(manager, "/reports/sla/", group_by="week", **OCTOBER)

    # then
    assert status == 200
    table = cells(html)
    assert list(table) == [
        "2026-09-28",
        "2026-10-05",
        "2026-10-12",
        "2026-10-19",
        "2026-10-26",
        "total",
    ]
    assert table["2026-10-12"]["response_met_pct"] == "75.0 %"
    assert ">2026-W42<" in html
    assert chart_spec(html, "chart-sla")["kind"] == "line"


def test_no_dates_means_this_month_and_the_quick_pick_says_so(desk, manager):
    # when
    status, html = read(manager, "/reports/sla/")

    # then: November 2026 (T8 alone), "This month" marked as the current pick
    assert status == 200
    assert cells(html)["total"]["tickets"] == "1"
    assert 'value="2026-11-01"' in html and 'value="2026-11-30"' in html
    current = re.search(
        r'<a class="btn btn-sm btn-primary"[^>]*aria-current="true"[^>]*>([^<]+)<', html
    )
    assert current is not None and current.group(1) == "This month"
    assert 'data-period="last_month"' in html
    assert "?from=2026-10-01&amp;to=2026-10-31" in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-10-32"}, "from", "Enter a date as YYYY-MM-DD."),
        ({"from": "2026-10-31", "to": "2026-10-01"}, "to", "The end of the period is before"),
        ({"site": "atlantis"}, "site", "Unknown value: atlantis."),
        ({"priority": "urgent"}, "priority", "Unknown value: urgent."),
        ({"group_by": "planet"}, "group_by", "Choose one of:"),
        ({"category": "net\x00work"}, "category", "Null characters are not allowed."),
        ({"engineer": "\x00"}, "engineer", "Null characters are not allowed."),
    ],
)
def test_a_bad_filter_is_shown_beside_its_control(manager, params, field, message):
    # when
    status, html = read(manager, "/reports/sla/", **params)

    # then: 400, the error under the control, no report run
    assert status == 400
    error = re.search(rf'id="report_{field}_error">([^<]*)<', html)
    assert error is not None and error.group(1).startswith(message)
    assert f'aria-describedby="report_{field}_error"' in html
    assert "Correct the filters above" in html
    assert 'id="report-table"' not in html


def test_a_period_without_tickets_says_so(desk, manager):
    # when
    status, html = read(manager, "/reports/sla/", **{"from": "2020-01-01", "to": "2020-01-31"})

    # then: the empty state, no table, no chart script
    assert status == 200
    assert "No tickets match these filters." in html
    assert 'id="report-table"' not in html
    assert "echarts.common.min.js" not in html


@pytest.mark.parametrize("page", PAGES)
def test_requesters_and_engineers_are_refused(web, alice, bob, page):
    # when / then
    for person in (alice, bob):
        status, _html = read(web(person), f"/reports/{'' if page == 'dashboard' else page + '/'}")
        assert status == 403


@pytest.mark.parametrize("page", PAGES)
def test_tech_leads_and_managers_read_every_page(web, tom, dave, page):
    for person in (tom, dave):
        status, _html = read(web(person), f"/reports/{'' if page == 'dashboard' else page + '/'}")
        assert status == 200


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get("/reports/sla/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/reports/sla/")


def test_the_definitions_are_stated_in_the_readers_language(desk, web, dave):
    # when
    with time_machine.travel(NOW, tick=False):
        html = web(dave).get("/reports/sla/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    # then: the page, its definitions and its numbers' headers in Chinese
    assert '<h1 class="page-title">SLA 达标率</h1>' in html
    assert "统计口径" in html
    assert "工单按其申报日期（以服务台所在时区计）归入统计期间" in html
    assert "Response is met when" not in html
