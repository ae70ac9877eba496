"""Volume, backlog, satisfaction and per-engineer reports on October 2026
(``factories_engine``), figures worked out by hand."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reports import engine
from reports.engine.params import filters_from
from reports.tests.factories_engine import NOW, OCTOBER, at, october
from tests.clock import sh
from training.services.assessments import new_assessment
from training.services.sessions import create_session, record_attendance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]


@pytest.fixture
def desk(alice, bob, erin, tom, dave):
    return october(alice, bob, erin, tom)


def run(report, dave, *args, **params):
    filters = filters_from({**OCTOBER, **params}, dave)
    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        found = at(NOW, report, filters, *args)
    return found, len(queries)


# --- volume --------------------------------------------------------------------------------


def test_volume_by_category_with_shares(desk, dave):
    # when
    report, queries = run(engine.volume_report, dave, "category")

    # then: 3 + 3 + 2 + 1 of 9; the cancelled T9 counts (work that came in)
    assert [(r["key"], r["label"], r["tickets"], r["share_pct"]) for r in report.rows] == [
        ("hardware", "Hardware", 3, 33.3),
        ("software", "Software", 2, 22.2),
        ("network", "Network", 3, 33.3),
        ("permission", "Accounts and permissions", 1, 11.1),
    ]
    assert report.total == {
        "key": "total",
        "label": "Total",
        "tickets": 9,
        "share_pct": 100.0,
        "open": 4,  # T2 T6 T7 T12
        "excluded": 1,
    }
    assert queries == 2  # the transaction's settings, the table


def test_volume_by_channel_shows_every_channel(desk, dave):
    # when
    report, _queries = run(engine.volume_report, dave, "channel")

    # then
    assert [(r["key"], r["tickets"], r["share_pct"]) for r in report.rows] == [
        ("web", 6, 66.7),
        ("im", 1, 11.1),
        ("phone", 1, 11.1),
        ("email", 1, 11.1),
        ("api", 0, 0.0),
    ]


def test_volume_by_sub_category_and_site(desk, dave):
    # when
    subcategories, _q = run(engine.volume_report, dave, "subcategory")
    sites, _q = run(engine.volume_report, dave, "site")

    # then
    assert [(r["key"], r["tickets"]) for r in subcategories.rows] == [
        ("hardware-pc", 1),
        ("hardware-printer", 2),
        ("software-office", 1),
        ("software-os", 1),
        ("network-wired", 1),
        ("network-wifi", 1),
        ("network-vpn", 1),
        ("permission-account", 1),
    ]
    assert [(r["key"], r["label"], r["share_pct"]) for r in sites.rows] == [
        ("sh", "上海总部", 66.7),
        ("bj", "北京分公司", 33.3),
    ]


# --- backlog -------------------------------------------------------------------------------

# Open at the end of each October day: T0 (Sep 28, never closed) from the start; T5 5–8;
# T1 opened and closed on the 12th; T2 from the 13th; T3 15–19; T4 the 17th only (closed
# 01:00 on the 18th); T9 opened and cancelled on the 20th; T12 from the 26th; T6 the 30th;
# T7 at 23:59 on the 31st.
BACKLOG = (
    [1] * 4  # 1–4
    + [2] * 4  # 5–8
    + [1] * 3  # 9–11
    + [1]  # 12
    + [2] * 2  # 13–14
    + [3] * 2  # 15–16
    + [4]  # 17
    + [3] * 2  # 18–19
    + [2] * 5  # 20–24 (T3 verified 09:00 on the 20th)
    + [2]  # 25
    + [3] * 4  # 26–29
    + [4]  # 30
    + [5]  # 31
)


def test_backlog_at_the_end_of_each_day(desk, dave):
    # when
    report, queries = run(engine.backlog_report, dave)

    # then
    assert [r["key"] for r in report.rows][:2] == ["2026-10-01", "2026-10-02"]
    assert len(report.rows) == 31
    assert [r["open"] for r in report.rows] == BACKLOG
    moves = {
        r["key"]: (r["submitted"], r["finished"])
        for r in report.rows
        if r["submitted"] or r["finished"]
    }
    assert moves == {
        "2026-10-05": (1, 0),
        "2026-10-09": (0, 1),
        "2026-10-12": (1, 1),
        "2026-10-13": (1, 0),
        "2026-10-15": (1, 0),
        "2026-10-17": (1, 0),
        "2026-10-18": (0, 1),
        "2026-10-20": (1, 2),
        "2026-10-26": (1, 0),
        "2026-10-30": (1, 0),
        "2026-10-31": (1, 0),
    }
    assert report.total == {
        "key": "total",
        "label": "Total",
        "open": 5,
        "submitted": 9,
        "finished": 5,
    }
    assert queries == 2


def test_backlog_ageing_of_the_open_tickets_now(desk, dave):
    # when: at Monday 2 November 09:20
    report, _queries = run(engine.backlog_report, dave)

    # then: T6 (2 d 16 h), T7 (1 d 9 h), T8 (1 d 9 h); T2 (20 d), T12 (7 d); T0 (35 d)
    ageing = {r["key"]: r for r in report.extra["ageing"]}
    assert [(k, r["tickets"], r["high"], r["medium"], r["low"]) for k, r in ageing.items()] == [
        ("lt_1d", 0, 0, 0, 0),
        ("1d_3d", 3, 0, 1, 2),
        ("3d_7d", 0, 0, 0, 0),
        ("7d_30d", 2, 0, 2, 0),
        ("ge_30d", 1, 0, 1, 0),
    ]
    assert report.extra["ageing_total"]["tickets"] == 6


def test_backlog_stops_at_today(desk, dave):
    # given: November, read on its 2nd
    filters = filters_from({"from": "2026-11-01", "to": "2026-11-30"}, dave)

    # when
    report = at(NOW, engine.backlog_report, filters)

    # then: the 1st and today (so far); T8 filed at 00:00 on the 1st
    assert [(r["key"], r["open"]) for r in report.rows] == [("2026-11-01", 6), ("2026-11-02", 6)]


def test_backlog_narrowed_by_site(desk, dave):
    # when: Beijing: T5 5–8, T3 15–19, T12 from the 26th
    report, _queries = run(engine.backlog_report, dave, site="bj")

    # then
    opened = {r["key"]: r["open"] for r in report.rows}
    assert (opened["2026-10-04"], opened["2026-10-05"], opened["2026-10-09"]) == (0, 1, 0)
    assert (opened["2026-10-16"], opened["2026-10-20"], opened["2026-10-31"]) == (1, 0, 1)


# --- satisfaction --------------------------------------------------------------------------


def test_satisfaction_averages_and_spread(desk, dave):
    # when
    report, queries = run(engine.satisfaction_report, dave, "month")

    # then: T1 5/4/5, T3 2/3/4, T4 4/4/3 answered; T5 sent
    assert report.total == {
        "key": "total",
        "label": "Total",
        "invited": 4,
        "answered": 3,
        "answered_pct": 75.0,
        "speed_avg": 3.67,  # 11 / 3
        "quality_avg": 3.67,  # 11 / 3
        "attitude_avg": 4.0,  # 12 / 3
        "overall_avg": 3.78,  # 34 / 9
        "low": 1,  # T3's speed 2
        "speed_1": 0,
        "speed_2": 1,
        "speed_3": 0,
        "speed_4": 1,
        "speed_5": 1,
        "quality_1": 0,
        "quality_2": 0,
        "quality_3": 1,
        "quality_4": 2,
        "quality_5": 0,
        "attitude_1": 0,
        "attitude_2": 0,
        "attitude_3": 1,
        "attitude_4": 1,
        "attitude_5": 1,
    }
    assert [(r["key"], r["answered"]) for r in report.rows] == [("2026-10-01", 3)]
    assert queries == 2


def test_satisfaction_by_priority(desk, dave):
    # when
    report, _queries = run(engine.satisfaction_report, dave, "priority")

    # then: medium T1 T3 answered, T5 not; high T4
    rows = {r["key"]: r for r in report.rows}
    assert (rows["medium"]["invited"], rows["medium"]["answered"]) == (3, 2)
    assert rows["medium"]["speed_avg"] == 3.5
    assert rows["high"]["overall_avg"] == 3.67  # 11 / 3
    assert rows["low"]["answered"] == 0
    assert rows["low"]["speed_avg"] is None


# --- per engineer --------------------------------------------------------------------------


def test_per_engineer(desk, dave):
    # when
    report, queries = run(engine.engineers_report, dave)

    # then
    rows = {r["key"]: r for r in report.rows}
    assert list(rows) == ["bob", "erin", "tom"]
    assert rows["bob"] == {
        "key": "bob",
        "label": "Bob",
        "handled": 3,  # T1 T2 T5
        "resolved": 3,
        "response_met_pct": 66.7,  # T2 late
        "resolution_met_pct": 100.0,
        "response_minutes_median": 20.0,  # 10 20 40
        "response_minutes_p90": 36.0,  # 20 + 0.8 × 20
        "resolution_minutes_median": 180.0,  # 120 180 360
        "resolution_minutes_p90": 324.0,  # 180 + 0.8 × 180
        "surveys": 1,
        "rating_avg": 4.67,  # 14 / 3
        "low_ratings": 0,
        "reopened": 0,
        "reopened_pct": 0.0,
        "trainings_attended": 0,
        "assessment_avg": None,
        "drill_avg": None,
    }
    erin = rows["erin"]  # T3 T12: T12 on hold, not decided
    assert (erin["handled"], erin["resolved"], erin["resolution_met_pct"]) == (2, 1, 0.0)
    assert (erin["response_minutes_median"], erin["response_minutes_p90"]) == (12.5, 18.5)
    assert (erin["rating_avg"], erin["low_ratings"]) == (3.0, 1)
    tom = rows["tom"]  # T4: the rejected fix
    assert (tom["reopened"], tom["reopened_pct"], tom["rating_avg"]) == (1, 100.0, 3.67)
    assert report.total["handled"] == 6
    assert report.total["response_met_pct"] == 83.3  # 5 / 6
    assert report.total["resolution_met_pct"] == 80.0  # 4 / 5
    assert report.total["reopened_pct"] == 16.7  # 1 / 6
    assert report.total["rating_avg"] == 3.78
    assert queries == 3  # the transaction's settings, the table, the engineers' training


def test_per_engineer_training_in_the_period(desk, dave, bob, erin, tom):
    # given: October's training — bob attended one session, erin missed it; bob scored 80
    # and 70 in assessments and 90 in a drill, erin 55; outside the month: a November
    # session bob attended, and a September score of erin's
    at(sh(2026, 9, 30, 18, 0), record, tom, erin, "technical", 10)
    october_session = at(sh(2026, 10, 12, 9, 0), plan, tom, [bob, erin], sh(2026, 10, 12, 14, 0))
    november_session = at(sh(2026, 10, 12, 9, 0), plan, tom, [bob], sh(2026, 11, 1, 0, 30))
    at(sh(2026, 10, 12, 16, 0), attend, october_session, tom, {"bob": "attended", "erin": "absent"})
    at(sh(2026, 11, 1, 1, 0), attend, november_session, tom, {"bob": "attended"})
    at(sh(2026, 10, 13, 9, 0), record, tom, bob, "technical", 80)
    at(sh(2026, 10, 14, 9, 0), record, tom, bob, "service", 70)
    at(sh(2026, 10, 31, 23, 59), record, tom, erin, "service", 55)
    at(sh(2026, 10, 20, 9, 0), record, tom, bob, "drill", 90)

    # when
    report, queries = run(engine.engineers_report, dave)

    # then
    rows = {r["key"]: r for r in report.rows}
    training = ("trainings_attended", "assessment_avg", "drill_avg")
    assert [rows["bob"][k] for k in training] == [1, 75.0, 90.0]
    assert [rows["erin"][k] for k in training] == [0, 55.0, None]
    assert [rows["tom"][k] for k in training] == [0, None, None]
    assert [report.total[k] for k in training] == [1, 68.33, 90.0]  # (80 + 70 + 55) / 3
    assert queries == 3


def plan(lead, attendees, starts_at):
    return create_session(
        actor=lead,
        title="Printers",
        kind="technical",
        starts_at=starts_at,
        trainer=lead,
        attendees=attendees,
    )


def attend(session, lead, marks):
    return record_attendance(session.pk, actor=lead, marks=marks)


def record(lead, engineer, kind, score):
    return new_assessment(
        actor=lead, engineer=engineer, kind=kind, score=score, notes="", session=None
    )


def test_reports_of_an_empty_desk(db, dave, seeded_calendar):
    # given: nothing filed
    filters = filters_from(OCTOBER, dave)

    # when
    with CaptureQueriesContext(connection) as queries:
        volume = at(NOW, engine.volume_report, filters, "category")
        backlog = at(NOW, engine.backlog_report, filters)
        satisfaction = at(NOW, engine.satisfaction_report, filters, "month")
        engineers = at(NOW, engine.engineers_report, filters)

    # then: the same statements as with tickets (the engineers' training: one more)
    assert len(queries) == 2 + 2 + 2 + 3
    assert volume.rows == []
    assert volume.total["tickets"] == 0
    assert volume.total["share_pct"] is None
    assert [r["open"] for r in backlog.rows] == [0] * 31
    assert satisfaction.total["answered_pct"] is None
    assert engineers.rows == []


def test_a_period_in_the_future_has_no_backlog_days(db, dave, seeded_calendar):
    # given
    filters = filters_from({"from": "2027-01-01"}, dave)

    # when
    report = at(sh(2026, 11, 2, 9, 20), engine.backlog_report, filters)

    # then
    assert report.rows == []
    assert report.total["open"] is None
