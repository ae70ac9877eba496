"""The scheduled summaries: each manager gets last week's numbers on Monday morning and last
month's on the month's first working day, once, in their own language, in the app and by
e-mail, with a link to the report.

Managers are the people who read reports and do not work the queue: dave (Chinese) and mia
(English); tom, a tech lead, reads reports but works the queue and gets none.
"""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.models import Notification
from notifications.transports import email
from reports.summary.kinds import SummaryNotice
from reports.summary.tasks import send_monthly_summary, send_weekly_summary
from reports.tests.factories_engine import october
from tests.clock import sh
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

MONDAY_MORNING = sh(2026, 11, 2, 7, 30)


@pytest.fixture
def managers(dave) -> dict[str, User]:
    User.objects.filter(pk=dave.pk).update(language="zh-hans")
    mia = make_user("mia", Role.MANAGER, language="en")
    return {"dave": User.objects.get(pk=dave.pk), "mia": mia}


def summaries(kind: str) -> list[Notification]:
    return list(
        Notification.objects.filter(kind=kind)
        .select_related("recipient")
        .order_by("recipient__username", "channel")
    )


def test_monday_morning_each_manager_gets_last_weeks_numbers_in_their_language(
    alice, bob, erin, tom, admin, managers
):
    # given: the October desk; last week (26 October to 1 November) has T6, T7, T8, T12
    october(alice, bob, erin, tom)

    # when: beat runs the task on Monday at 07:30
    with time_machine.travel(MONDAY_MORNING, tick=False):
        send_weekly_summary()

    # then: dave and mia, in the app and by e-mail; nobody else
    sent = summaries(SummaryNotice.WEEKLY)
    assert [(n.recipient.username, n.channel) for n in sent] == [
        ("dave", "email"),
        ("dave", "in_app"),
        ("mia", "email"),
        ("mia", "in_app"),
    ]
    payload = sent[0].payload
    assert payload["number"] == "2026-W44"
    assert (payload["from"], payload["to"]) == ("2026-10-26", "2026-11-01")
    # T12 met its response, T6 breached it; T7 and T8 are due at 09:30: pending
    assert payload["tickets"] == 4
    assert payload["response_met_pct"] == 50.0
    assert (payload["response_breached"], payload["response_pending"]) == (1, 2)
    assert payload["resolution_met_pct"] is None
    # open at the end of Sunday: T0, T2 (awaiting verification), T6, T7, T8, T12
    assert payload["open_at_end"] == 6
    assert (payload["surveys_answered"], payload["rating_avg"]) == (0, None)
    assert sent[0].link == "/reports/sla/?from=2026-10-26&to=2026-11-01"

    # and each e-mail reads in its reader's language
    subject_zh, body_zh = email.render(sent[0])
    subject_en, body_en = email.render(sent[2])
    with translation.override("zh-hans"):
        label_zh = gettext("Weekly service desk summary")
        met_zh = gettext("Response met")
    assert label_zh != "Weekly service desk summary"
    assert subject_zh == f"[2026-W44] {label_zh}：2026-10-26 – 2026-11-01"
    assert f"{met_zh}：50.0 %" in body_zh
    assert "http://127.0.0.1:8000/reports/sla/?from=2026-10-26&to=2026-11-01" in body_zh
    assert subject_en == "[2026-W44] Weekly service desk summary: 2026-10-26 – 2026-11-01"
    assert "Hello Mia," in body_en
    assert "- Tickets submitted: 4" in body_en
    assert "- Response met: 50.0 % (1 breached, 2 pending)" in body_en
    assert "- Resolution met: — (0 breached, 4 pending)" in body_en
    assert "- Open at the end of the period: 6" in body_en
    assert "- Satisfaction: — (0 surveys answered)" in body_en


def test_the_weekly_summary_goes_out_once(managers):
    # given: sent on Monday morning
    with time_machine.travel(MONDAY_MORNING, tick=False):
        send_weekly_summary()

    # when: a second beat, a retried task, an operator running it again
    with time_machine.travel(sh(2026, 11, 2, 7, 31), tick=False):
        send_weekly_summary()
        send_weekly_summary()

    # then
    assert len(summaries(SummaryNotice.WEEKLY)) == 4  # two managers × two channels
    # and the Monday after, the next week's
    with time_machine.travel(sh(2026, 11, 9, 7, 30), tick=False):
        send_weekly_summary()
    weeks = {n.payload["number"] for n in summaries(SummaryNotice.WEEKLY)}
    assert weeks == {"2026-W44", "2026-W45"}


def test_the_monthly_summary_waits_for_the_first_working_day_after_national_day(alice, managers):
    # given: a ticket filed in September
    with time_machine.travel(sh(2026, 9, 15, 10, 0), tick=False):
        make_ticket(requester=alice)

    # when: beat runs it every morning from the 1st; 1–7 October are holidays
    for day in range(1, 8):
        with time_machine.travel(sh(2026, 10, day, 7, 30), tick=False):
            assert send_monthly_summary() == 0
    assert summaries(SummaryNotice.MONTHLY) == []

    # then: Thursday 8 October, the first working day, brings September's summary
    with time_machine.travel(sh(2026, 10, 8, 7, 30), tick=False):
        assert send_monthly_summary() == 2
    sent = summaries(SummaryNotice.MONTHLY)
    assert [(n.recipient.username, n.channel) for n in sent] == [
        ("dave", "email"),
        ("dave", "in_app"),
        ("mia", "email"),
        ("mia", "in_app"),
    ]
    assert sent[0].payload["number"] == "2026-09"
    assert (sent[0].payload["from"], sent[0].payload["to"]) == ("2026-09-01", "2026-09-30")
    assert sent[0].payload["tickets"] == 1
    _subject, body_en = email.render(sent[2])
    assert "The service desk last month, 2026-09-01 to 2026-09-30" in body_en

    # and the days after, nothing more
    for day in (9, 10, 12):
        with time_machine.travel(sh(2026, 10, day, 7, 30), tick=False):
            send_monthly_summary()
    assert len(summaries(SummaryNotice.MONTHLY)) == 4


def test_a_manager_limited_to_a_site_hears_of_that_site(alice, bob, erin, tom, managers):
    # given: mia works for Beijing only
    desk = october(alice, bob, erin, tom)
    managers["mia"].limited_to_sites.add(desk.sites["bj"])

    # when
    with time_machine.travel(MONDAY_MORNING, tick=False):
        send_weekly_summary()

    # then: last week's Beijing ticket is T12 alone, its response met
    mias = Notification.objects.get(
        kind=SummaryNotice.WEEKLY, recipient__username="mia", channel="in_app"
    )
    assert (mias.payload["tickets"], mias.payload["response_met_pct"]) == (1, 100.0)
    daves = Notification.objects.get(
        kind=SummaryNotice.WEEKLY, recipient__username="dave", channel="in_app"
    )
    assert daves.payload["tickets"] == 4


def test_people_who_work_the_queue_or_cannot_read_reports_get_no_summary(alice, bob, tom, admin):
    # given: no manager at all
    # when
    with time_machine.travel(MONDAY_MORNING, tick=False):
        send_weekly_summary()

    # then
    assert summaries(SummaryNotice.WEEKLY) == []
