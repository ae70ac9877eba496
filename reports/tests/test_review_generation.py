"""The weekly problem review is generated on Monday morning for the week before: one per
week, with the recurring faults grouped and the week's rejected fixes, breaches, low
ratings and major incidents in it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from incidents import review as incident_review
from incidents import services as incident_services
from reports.models import ProblemReview
from reports.review import services as review_services
from reports.review.tasks import generate_weekly_review
from reports.tests.factories_review import (
    closed_at,
    ensure_survey,
    file_at,
    network_category,
    printer,
    step,
)
from sla.obligations import sweep
from tests.clock import sh
from tickets import services
from tickets.errors import InvalidTransition
from tickets.tests.factories import DIAGNOSIS

pytestmark = pytest.mark.usefixtures("seeded_calendar")

WEEK = dt.date(2026, 6, 1)  # Monday 1 June 2026; the review runs Monday 8 June, 07:00
MONDAY_MORNING = sh(2026, 6, 8, 7, 0)


@pytest.fixture
def printer_week(alice, carol):
    """Three paper jams on two HP M404 printers, worded three ways (one on Sunday 23:59);
    beside them an M404 that says it is out of paper, a printer that cannot be reached, a
    network fault, a jam filed the Monday after (next week's) and a jam cancelled."""
    m404a, m404b = printer("PRN-0301"), printer("PRN-0302")
    jams = [
        file_at(
            sh(2026, 6, 2, 9, 15),
            alice,
            title="三楼打印机卡纸",
            description="打印的时候一直卡纸，取出来还是卡",
            asset=m404a,
        ),
        file_at(
            sh(2026, 6, 4, 14, 0),
            carol,
            title="打印机又卡纸了",
            description="HP 打印机每打几张就卡纸，硒鼓附近有纸屑",
            asset=m404a,
        ),
        file_at(
            sh(2026, 6, 7, 23, 59),
            alice,
            title="打印机频繁卡纸",
            description="财务部打印机今天卡纸三次",
            asset=m404b,
        ),
    ]
    others = [
        file_at(
            sh(2026, 6, 3, 10, 0),
            carol,
            title="打印机提示缺纸",
            description="打印机提示缺纸但纸仓已满",
            asset=m404a,
        ),
        file_at(
            sh(2026, 6, 3, 11, 0),
            alice,
            title="三楼打印机无法连接",
            description="电脑找不到打印机，打印任务一直排队",
        ),
        file_at(
            sh(2026, 6, 5, 16, 0),
            carol,
            title="三楼网络断了",
            description="三楼无法上网，网线灯不亮",
            category=network_category(),
        ),
        file_at(
            sh(2026, 6, 8, 0, 30), alice, title="打印机卡纸", description="又卡纸", asset=m404b
        ),
    ]
    cancelled = file_at(sh(2026, 6, 5, 9, 0), carol, title="打印机卡纸了", description="卡纸")
    step(sh(2026, 6, 5, 9, 5), services.cancel_ticket, cancelled.pk, actor=carol, reason="好了")
    return jams, others


def _group_numbers(review: ProblemReview) -> list[list[str]]:
    return [[t["number"] for t in g["tickets"]] for g in review.pack["groups"]]


def test_monday_morning_generates_last_weeks_review_with_the_jams_in_one_group(printer_week):
    # given
    jams, _others = printer_week

    # when: beat runs the task on Monday 8 June, 07:00 Asia/Shanghai
    with time_machine.travel(MONDAY_MORNING, tick=False):
        generate_weekly_review()

    # then: the week of 1 June, and exactly the three jams in its one group
    review = ProblemReview.objects.get()
    assert review.week_start == WEEK
    assert review.generated_by is None
    assert _group_numbers(review) == [[t.number for t in jams]]
    group = review.pack["groups"][0]
    assert group["count"] == 3
    assert group["category"]["slug"] == "hardware-printer"
    assert group["model"] == {"value": "HP LaserJet M404dn", "count": 3, "all": True}
    assert "卡纸" in group["keywords"]
    assert review.pack["submitted"] == 7  # the week's seven: Monday's jam is next week's


def test_generating_twice_leaves_one_review_with_the_same_pack(printer_week):
    # given
    with time_machine.travel(MONDAY_MORNING, tick=False):
        generate_weekly_review()
    first = ProblemReview.objects.get().pack

    # when: beat runs again (a retried task)
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(minutes=5), tick=False):
        generate_weekly_review()

    # then
    assert ProblemReview.objects.count() == 1
    second = ProblemReview.objects.get().pack
    assert second["groups"] == first["groups"]


def test_a_review_generated_early_is_completed_on_monday_and_keeps_what_was_written(
    printer_week, tom
):
    # given: tom generates the week on Friday and writes a root cause
    review = step(sh(2026, 6, 5, 17, 0), review_services.generate_review, WEEK, actor=tom)
    assert _group_numbers(review) == [[t.number for t in printer_week[0][:2]]]
    step(
        sh(2026, 6, 5, 17, 5),
        review_services.write_review,
        review.pk,
        actor=tom,
        root_causes="硒鼓老化",
        kb_updates="",
    )

    # when
    with time_machine.travel(MONDAY_MORNING, tick=False):
        generate_weekly_review()

    # then: the Sunday jam joined, the root cause stayed
    review.refresh_from_db()
    assert _group_numbers(review) == [[t.number for t in printer_week[0]]]
    assert review.root_causes == "硒鼓老化"
    assert review.pack["covers_until"] == sh(2026, 6, 8, 0, 0).isoformat()


def test_a_closed_review_is_not_regenerated(printer_week, tom):
    # given
    review = step(MONDAY_MORNING, review_services.generate_review, WEEK, actor=tom)
    step(MONDAY_MORNING, review_services.close_review, review.pk, actor=tom)
    packed = ProblemReview.objects.get().pack

    # when / then: beat leaves it; a person is told
    with time_machine.travel(MONDAY_MORNING + dt.timedelta(days=1), tick=False):
        generate_weekly_review()
        with pytest.raises(InvalidTransition):
            review_services.generate_review(WEEK, actor=tom)
    assert ProblemReview.objects.get().pack == packed


def test_a_jam_three_weeks_earlier_joins_the_group_and_none_without_one_this_week(alice, settings):
    # given: two jams in May, one this week; and two "no toner" tickets in May only
    settings.REPORTS_REVIEW_LOOKBACK_WEEKS = 3
    may = [
        file_at(sh(2026, 5, 8, 9, 0), alice, title="打印机卡纸", description="卡纸"),
        file_at(sh(2026, 5, 20, 9, 0), alice, title="打印机又卡纸", description="卡纸严重"),
    ]
    file_at(sh(2026, 5, 13, 9, 0), alice, title="打印机墨粉不足", description="提示更换墨粉")
    file_at(sh(2026, 5, 21, 9, 0), alice, title="打印机墨粉不足了", description="墨粉用完")
    now = file_at(sh(2026, 6, 3, 9, 0), alice, title="打印机卡纸严重", description="一直卡纸")

    # when
    review = step(MONDAY_MORNING, review_services.generate_review, WEEK, actor=None)

    # then: the 8 May jam is more than three weeks back; the toner tickets have none this week
    assert _group_numbers(review) == [[may[1].number, now.number]]
    assert review.pack["groups"][0]["in_week"] == 1


def test_rejected_fixes_breaches_and_low_ratings_of_the_week_are_in_the_pack(alice, bob):
    # given: a fix rejected on Wednesday
    rejected = file_at(sh(2026, 6, 1, 9, 0), alice, title="VPN 断线")
    step(sh(2026, 6, 1, 9, 5), services.accept_ticket, rejected.pk, actor=bob)
    step(sh(2026, 6, 1, 10, 0), services.diagnose_ticket, rejected.pk, actor=bob, **DIAGNOSIS)
    step(sh(2026, 6, 2, 10, 0), services.resolve_ticket, rejected.pk, actor=bob, solution="重装")
    step(sh(2026, 6, 3, 10, 0), services.reject_fix, rejected.pk, actor=alice, reason="还是断")
    # a high-priority ticket nobody accepted: the sweep records its response breach
    late = file_at(sh(2026, 6, 4, 10, 0), alice, title="ERP 打不开", priority="high")
    sweep("tickets.sla", now=sh(2026, 6, 4, 12, 0))
    # a survey answered on Friday with speed 2, and one with all 4s (not low)
    low = closed_at(sh(2026, 6, 5, 9, 0), alice, bob, title="邮箱满了")
    ensure_survey(
        low,
        sh(2026, 6, 5, 9, 0),
        answered_at=sh(2026, 6, 5, 10, 0),
        speed=2,
        quality=4,
        attitude=5,
        comment="响应太慢",
    )
    fine = closed_at(sh(2026, 6, 5, 11, 0), alice, bob, title="鼠标坏了")
    ensure_survey(
        fine,
        sh(2026, 6, 5, 11, 0),
        answered_at=sh(2026, 6, 5, 12, 0),
        speed=4,
        quality=4,
        attitude=4,
    )

    # when
    review = step(MONDAY_MORNING, review_services.generate_review, WEEK, actor=None)

    # then
    pack = review.pack
    assert [(r["number"], r["kind"], r["reason"]) for r in pack["reopened"]] == [
        (rejected.number, "fix_rejected", "还是断")
    ]
    assert (late.number, "response_breach") in [(b["number"], b["kind"]) for b in pack["breaches"]]
    assert [(s["number"], s["speed"], s["comment"]) for s in pack["low_ratings"]] == [
        (low.number, 2, "响应太慢")
    ]


def test_the_weeks_major_incident_comes_with_its_review_and_actions(tom, bob):
    # given: declared Tuesday, resolved and reviewed Thursday
    incident = step(
        sh(2026, 6, 2, 10, 0),
        incident_services.declare,
        actor=tom,
        title="邮件系统宕机",
        impact="全公司收不到邮件",
    )
    step(
        sh(2026, 6, 2, 12, 0),
        incident_services.post_status,
        incident.pk,
        actor=tom,
        status="resolved",
        note="已切换备用服务器",
    )
    step(
        sh(2026, 6, 4, 10, 0),
        incident_review.write_review,
        incident.pk,
        actor=tom,
        root_cause="磁盘写满",
    )
    step(
        sh(2026, 6, 4, 10, 5),
        incident_review.add_action,
        incident.pk,
        actor=tom,
        description="磁盘 80% 告警",
        owner=bob,
        due_on=dt.date(2026, 6, 30),
    )

    # when
    review = step(MONDAY_MORNING, review_services.generate_review, WEEK, actor=None)

    # then
    [found] = review.pack["incidents"]
    assert found["number"] == incident.number
    assert found["review"]["root_cause"] == "磁盘写满"
    assert found["review"]["actions"] == [
        {"description": "磁盘 80% 告警", "owner": bob.name, "due_on": "2026-06-30", "done": False}
    ]


def test_next_week_cannot_be_generated_and_a_week_starts_on_monday(tom):
    from django.core.exceptions import ValidationError

    with time_machine.travel(MONDAY_MORNING, tick=False):
        with pytest.raises(ValidationError) as future:
            review_services.generate_review(dt.date(2026, 6, 15), actor=tom)
        with pytest.raises(ValidationError) as tuesday:
            review_services.generate_review(dt.date(2026, 6, 2), actor=tom)
    assert "week" in future.value.message_dict
    assert "week" in tuesday.value.message_dict
    assert not ProblemReview.objects.exists()
