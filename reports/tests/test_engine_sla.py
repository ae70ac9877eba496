"""The SLA report on October 2026 (``factories_engine``): every figure worked out by hand
from the desk's story and written here as a number.

Response (cancelled T9 left out): met T1, T3, T4, T5, T12; breached T2 (accepted 10:40,
due 10:30) and T6 (unaccepted, due Fri 17:30); pending T7 (due Mon 09:30, read at 09:20).
Resolution: met T1, T2, T4, T5; breached T3 (16:00 after its moved 15:00); pending T6
(due 16:00), T7, T12 (on hold past its old deadline: the hold will move it).
Working response minutes: T1 10, T2 40, T3 20, T4 5, T5 20, T12 5 → 5 5 10 20 20 40:
median (10 + 20) / 2 = 15; p90 at position 0.9 × 5 = 4.5 → 20 + 0.5 × 20 = 30.
Wall-clock: T5 4,280 instead of 20 → 5 5 10 20 40 4280: median 15, p90 40 + 0.5 × 4,240.
Working resolution minutes: 120 180 210 360 600: median 210, p90 (3.6) 360 + 0.6 × 240.
Wall-clock: 120 270 1740 4440 5880: median 1,740, p90 4,440 + 0.6 × 1,440.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports import engine
from reports.engine.params import filters_from
from reports.tests.factories_engine import NOW, OCTOBER, at, october

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]


@pytest.fixture
def desk(alice, bob, erin, tom, dave):
    return october(alice, bob, erin, tom)


def sla(dave, group_by="priority", **params):
    filters = filters_from({**OCTOBER, **params}, dave)
    with translation.override("en"):
        return at(NOW, engine.sla_report, filters, group_by)


def test_the_tickets_carry_their_working_minutes(desk):
    # then: what the clocks stored at acceptance and resolution
    t = desk.tickets
    assert [t[n].response_minutes for n in ("T1", "T2", "T3", "T4", "T5", "T12")] == [
        10, 40, 20, 5, 20, 5,
    ]  # fmt: skip
    assert [t[n].resolution_minutes for n in ("T1", "T2", "T3", "T4", "T5")] == [
        120, 360, 600, 210, 180,
    ]  # fmt: skip
    assert t["T4"].reopen_count == 1
    assert t["T3"].priority == "medium"


def test_total_compliance_pending_and_times(desk, dave):
    # when
    report = sla(dave)

    # then
    assert report.total == {
        "key": "total",
        "label": "Total",
        "tickets": 9,
        "excluded": 1,
        "response_met": 5,
        "response_breached": 2,
        "response_pending": 1,
        "response_met_pct": 71.4,
        "resolution_met": 4,
        "resolution_breached": 1,
        "resolution_pending": 3,
        "resolution_met_pct": 80.0,
        "response_minutes_median": 15.0,
        "response_minutes_p90": 30.0,
        "resolution_minutes_median": 210.0,
        "resolution_minutes_p90": 504.0,
        "response_wall_minutes_median": 15.0,
        "response_wall_minutes_p90": 2160.0,
        "resolution_wall_minutes_median": 1740.0,
        "resolution_wall_minutes_p90": 5304.0,
    }


def test_rows_by_priority_follow_the_current_priority(desk, dave):
    # when
    report = sla(dave)

    # then: T3 counts as medium (raised from low); low holds T7 only, nothing decided
    rows = {row["key"]: row for row in report.rows}
    assert [row["key"] for row in report.rows] == ["high", "medium", "low"]
    assert [row["label"] for row in report.rows] == ["High", "Medium", "Low"]
    medium = rows["medium"]
    assert (medium["tickets"], medium["excluded"]) == (7, 1)
    assert (medium["response_met"], medium["response_breached"], medium["response_pending"]) == (
        4, 2, 0,
    )  # fmt: skip
    assert medium["response_met_pct"] == 66.7  # 4 / 6
    assert (medium["resolution_met"], medium["resolution_breached"]) == (3, 1)
    assert medium["resolution_pending"] == 2
    assert medium["resolution_met_pct"] == 75.0
    # working 5 10 20 20 40: median 20, p90 (3.6) 20 + 0.6 × 20; wall 5 10 20 40 4280
    assert (medium["response_minutes_median"], medium["response_minutes_p90"]) == (20.0, 32.0)
    assert medium["response_wall_minutes_p90"] == 2584.0
    # resolution working 120 180 360 600: median 270, p90 (2.7) 360 + 0.7 × 240
    assert (medium["resolution_minutes_median"], medium["resolution_minutes_p90"]) == (
        270.0, 528.0,
    )  # fmt: skip
    high = rows["high"]
    assert (high["tickets"], high["response_met_pct"], high["resolution_met_pct"]) == (
        1, 100.0, 100.0,
    )  # fmt: skip
    # the rejected fix: 270 wall-clock minutes, 60 of them awaiting verification
    assert (high["resolution_minutes_median"], high["resolution_wall_minutes_median"]) == (
        210.0, 270.0,
    )  # fmt: skip
    low = rows["low"]
    assert (low["tickets"], low["response_pending"], low["resolution_pending"]) == (1, 1, 1)
    assert (low["response_met_pct"], low["resolution_met_pct"]) == (None, None)
    assert low["response_minutes_median"] is None


def test_period_edges_in_the_desk_zone(desk, dave):
    # given: T7 at 23:59 on 31 October is in, T8 at 00:00 on 1 November is out
    by_day = {row["key"]: row["tickets"] for row in sla(dave, group_by="day").rows}

    # then: one row per day of the period, zeros included
    assert len(by_day) == 31
    assert by_day["2026-10-31"] == 1
    assert "2026-11-01" not in by_day
    # T5, filed on the National Day holiday, counts on its own day
    assert by_day["2026-10-05"] == 1
    assert sum(by_day.values()) == 9
    november = sla(dave, **{"from": "2026-11-01", "to": "2026-11-30"})
    assert november.total["tickets"] == 1  # T8


def test_weeks_and_months(desk, dave):
    # when
    weeks = sla(dave, group_by="week").rows
    months = sla(dave, group_by="month").rows

    # then: ISO weeks keyed by their Monday (the first starts in September)
    assert [(row["key"], row["label"], row["tickets"]) for row in weeks] == [
        ("2026-09-28", "2026-W40", 0),
        ("2026-10-05", "2026-W41", 1),
        ("2026-10-12", "2026-W42", 4),
        ("2026-10-19", "2026-W43", 1),
        ("2026-10-26", "2026-W44", 3),
    ]
    w42 = weeks[2]  # T1 T2 T3 T4: responses met 3, breached 1 (T2)
    assert (w42["response_met"], w42["response_breached"], w42["response_met_pct"]) == (
        3, 1, 75.0,
    )  # fmt: skip
    assert [(row["key"], row["label"], row["tickets"]) for row in months] == [
        ("2026-10-01", "2026-10", 9)
    ]


def test_by_engineer_site_channel_and_category(desk, dave):
    # when
    engineers = {row["key"]: row for row in sla(dave, group_by="engineer").rows}
    sites = sla(dave, group_by="site").rows
    channels = sla(dave, group_by="channel").rows
    categories = sla(dave, group_by="category").rows

    # then
    assert list(engineers) == ["bob", "erin", "tom", ""]
    assert engineers[""]["label"] == "Unassigned"
    assert (engineers[""]["tickets"], engineers[""]["excluded"]) == (3, 1)  # T6 T7 T9
    assert engineers["bob"]["response_met_pct"] == 66.7
    assert [(row["key"], row["tickets"]) for row in sites] == [("sh", 6), ("bj", 3)]
    assert [(row["key"], row["tickets"]) for row in channels] == [
        ("web", 6), ("im", 1), ("phone", 1), ("email", 1), ("api", 0),
    ]  # fmt: skip
    assert [(row["key"], row["tickets"]) for row in categories] == [
        ("hardware", 3), ("software", 2), ("network", 3), ("permission", 1),
    ]  # fmt: skip


def test_breaches_list_the_tickets_with_links(desk, dave):
    # when
    report = sla(dave)

    # then: T2 (response), T3 (resolution), T6 (response), in submission order
    t = desk.tickets
    breaches = report.extra["breaches"]
    assert [b["number"] for b in breaches] == [t["T2"].number, t["T3"].number, t["T6"].number]
    assert [(b["response_breached"], b["resolution_breached"]) for b in breaches] == [
        (True, False), (False, True), (True, False),
    ]  # fmt: skip
    assert breaches[0]["url"] == f"/tickets/{t['T2'].number}/"
    assert breaches[1]["site"] == "bj"
    assert breaches[1]["assignee"] == "erin"
    assert report.extra["breaches_found"] == 3


def test_filters_narrow_every_figure(desk, dave):
    # when: the network category (its sub-categories) and bob's tickets
    network = sla(dave, category="network")
    bobs = sla(dave, engineer="bob")
    phone_or_im = sla(dave, channel="phone,im")

    # then
    assert network.total["tickets"] == 3  # T1 T4 T6
    assert (network.total["response_met"], network.total["response_breached"]) == (2, 1)
    assert bobs.total["tickets"] == 3  # T1 T2 T5
    assert bobs.total["response_minutes_median"] == 20.0
    assert phone_or_im.total["tickets"] == 2  # T4 T5


def test_a_site_limited_viewer_counts_only_their_sites(desk, dave, tom):
    # given: tom works for Beijing only
    tom.limited_to_sites.set([desk.sites["bj"]])
    tom = type(tom).objects.get(pk=tom.pk)

    # when
    report = sla(tom)

    # then: T3 T5 T12
    assert report.total["tickets"] == 3
    assert [row["key"] for row in sla(tom, group_by="site").rows] == ["bj"]
    assert [b["number"] for b in report.extra["breaches"]] == [desk.tickets["T3"].number]


def test_one_report_is_three_queries_whatever_the_grouping(desk, dave):
    # given
    filters = filters_from(OCTOBER, dave)

    for group_by in engine.GROUPS:
        # when
        with CaptureQueriesContext(connection) as queries:
            report = at(NOW, engine.sla_report, filters, group_by)

        # then: the transaction's settings, the table with its total, the breaches
        assert len(queries) == 3, group_by
        assert report.total["tickets"] == 9


def test_the_same_query_count_for_an_empty_period(db, dave, seeded_calendar):
    # given: nothing filed
    filters = filters_from(OCTOBER, dave)

    # when
    with CaptureQueriesContext(connection) as queries:
        report = at(NOW, engine.sla_report, filters, "priority")

    # then
    assert len(queries) == 3
    assert report.total["tickets"] == 0
    assert report.total["response_met_pct"] is None
    assert [row["tickets"] for row in report.rows] == [0, 0, 0]


def test_a_server_running_on_utc_changes_no_figure(desk, dave, monkeypatch):
    # given: the process and the database session in UTC; the desk stays in Asia/Shanghai
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")

        # when
        by_day = {row["key"]: row["tickets"] for row in sla(dave, group_by="day").rows}
        total = sla(dave).total

        # then: T7 (23:59 on the 31st, Shanghai) still on the 31st, T8 still out
        assert by_day["2026-10-31"] == 1
        assert total["tickets"] == 9
        assert total["response_met_pct"] == 71.4
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_desk_zone_decides_the_days(desk, dave, settings):
    # given: a desk that keeps UTC days
    settings.TIME_ZONE = "UTC"

    # when
    by_day = {row["key"]: row["tickets"] for row in sla(dave, group_by="day").rows}

    # then: T8, 00:00 on 1 November in Shanghai, is 16:00 on 31 October in UTC
    assert by_day["2026-10-31"] == 2
    assert sum(by_day.values()) == 10
