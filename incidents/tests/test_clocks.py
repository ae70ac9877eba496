"""The task-force deadline and the 30-minute report grid, under a controlled clock, through
the real sweep (``manage.py run_sweeps``): the issue's list, exactly."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.roles import Role
from accounts.tests.factories import make_user
from incidents import services
from incidents.choices import ClockKind, IncidentNotice, IncidentStatus, MemberRole
from incidents.models import IncidentReport
from incidents.tests.factories import declare_at, in_app, run_sweeps_at
from tests.clock import sh

pytestmark = pytest.mark.django_db

DAY = (2026, 3, 2)


def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    return sh(*DAY, hour, minute, second)


def every_minute(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    moments = []
    while start <= end:
        moments.append(start)
        start += dt.timedelta(minutes=1)
    return moments


def slots() -> list[dt.datetime]:
    return list(IncidentReport.objects.order_by("slot").values_list("slot", flat=True))


def test_task_force_not_formed_in_10_minutes_alerts_every_tech_lead_and_manager_once(
    tom, dave, bob
):
    # given: tom (tech lead) declares at 10:00 and nobody joins; another lead and manager
    make_user("lena", Role.TECH_LEAD)
    make_user("mia", Role.MANAGER)
    declare_at(at(10, 0), by=tom)

    # when: the sweep runs every minute (twice at 10:10) until 10:20
    for moment in every_minute(at(10, 0), at(10, 20)):
        run_sweeps_at(moment)
    run_sweeps_at(at(10, 10, 20))

    # then: at 10:10, once, every tech lead and manager; no engineer
    late = in_app(ClockKind.TASK_FORCE_LATE)
    assert sorted(n.recipient.username for n in late) == sorted(["tom", "lena", "dave", "mia"])
    assert {n.created_at for n in late} == {at(10, 10)}
    assert {n.payload["number"] for n in late} == {late[0].payload["number"]}
    assert late[0].payload["number"].startswith("MI-20260302-")
    assert late[0].link == f"/incidents/{late[0].payload['number']}/"


def test_a_task_force_formed_in_time_alerts_nobody(tom, bob, dave):
    # given: declared at 10:00, bob joins as an engineer at 10:06
    incident = declare_at(at(10, 0), by=tom)
    with time_machine.travel(at(10, 6), tick=False):
        services.add_member(incident.pk, actor=bob, user=bob, role=MemberRole.ENGINEER)

    # when
    for moment in every_minute(at(10, 0), at(10, 20)):
        run_sweeps_at(moment)

    # then
    incident.refresh_from_db()
    assert incident.task_force_formed_at == at(10, 6)
    assert in_app(ClockKind.TASK_FORCE_LATE) == []


def test_reports_go_out_at_10_30_11_00_11_30_once_each_and_stop_when_restored(tom, bob, dave):
    # given: declared at 10:00; a status note at 10:20 and one at 11:10, none in between
    incident = declare_at(at(10, 0), by=tom)
    with time_machine.travel(at(10, 20), tick=False):
        services.post_status(
            incident.pk,
            actor=tom,
            status=IncidentStatus.IDENTIFIED,
            note="The ERP database server lost its disk array.",
            next_steps="Fail over to the standby server.",
        )
    moments = every_minute(at(10, 0), at(11, 39))

    # when: the sweep runs every minute, twice each time (a second beat, a retry)
    for moment in moments:
        if moment == at(11, 10):
            with time_machine.travel(moment, tick=False):
                services.post_status(
                    incident.pk,
                    actor=tom,
                    status=IncidentStatus.IDENTIFIED,
                    note="Standby server is up; replaying the last hour's orders.",
                )
        run_sweeps_at(moment)
        run_sweeps_at(moment)

    # then: one report per slot, stored and sent to the manager
    assert slots() == [at(10, 30), at(11, 0), at(11, 30)]
    reports = list(IncidentReport.objects.order_by("slot"))
    sent = in_app(ClockKind.REPORT, recipient=dave)
    assert [n.created_at for n in sent] == [at(10, 30), at(11, 0), at(11, 30)]
    assert all(n.payload["number"] == incident.number for n in sent)
    assert all(n.link == f"/incidents/{incident.number}/" for n in sent)
    # the 10:30 report carries the 10:20 note; the 11:00 one says plainly: no new status
    assert "lost its disk array" in reports[0].done_since_last
    assert reports[0].next_steps == "Fail over to the standby server."
    assert reports[0].no_new_status is False
    assert reports[1].no_new_status is True
    assert reports[1].done_since_last == ""
    assert sent[1].payload["no_new_status"] is True
    assert "replaying" in reports[2].done_since_last
    assert [r.next_report_at for r in reports] == [at(11, 0), at(11, 30), at(12, 0)]
    assert not any(r.is_late for r in reports)
    # and the commander was reminded for the 11:00 slot only
    reminders = in_app(IncidentNotice.STATUS_REMINDER)
    assert [(n.recipient, n.created_at) for n in reminders] == [(tom, at(11, 0))]
    assert reminders[0].payload["number"] == incident.number

    # when: service is restored at 11:40 and the sweep keeps running past 12:00
    with time_machine.travel(at(11, 40), tick=False):
        services.record_restoration(
            incident.pk, actor=tom, restoration="Switched to the standby server."
        )
    for moment in every_minute(at(11, 40), at(12, 35)):
        run_sweeps_at(moment)

    # then: no report at 12:00 (nor 12:30)
    assert slots() == [at(10, 30), at(11, 0), at(11, 30)]
    incident.refresh_from_db()
    assert incident.next_check_at is None
    assert incident.restored_at == at(11, 40)


def test_sweeps_down_across_slots_send_one_late_report_and_keep_the_grid(tom, bob, dave):
    # given: declared at 10:00; bob on the task force at once; sweeps run until 10:25
    incident = declare_at(at(10, 0), by=tom)
    with time_machine.travel(at(10, 1), tick=False):
        services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    for moment in every_minute(at(10, 0), at(10, 25)):
        run_sweeps_at(moment)

    # when: no sweep between 10:25 and 11:05, then every minute again until 11:35
    for moment in every_minute(at(11, 5), at(11, 35)):
        run_sweeps_at(moment)

    # then: one report at 11:05 for the 11:00 slot, saying it is late; the next at 11:30
    reports = list(IncidentReport.objects.order_by("slot"))
    assert [(r.slot, r.sent_at, r.is_late) for r in reports] == [
        (at(11, 0), at(11, 5), True),
        (at(11, 30), at(11, 30), False),
    ]
    sent = in_app(ClockKind.REPORT, recipient=dave)
    assert [n.created_at for n in sent] == [at(11, 5), at(11, 30)]
    assert sent[0].payload["late"] is True
    assert sent[0].payload["missed"] == 1  # the 10:30 report was never sent
    assert sent[1].payload["late"] is False


def test_a_report_delayed_within_one_slot_is_marked_late(tom, dave):
    # given: declared at 10:00, no sweep from 10:29 until 10:37
    declare_at(at(10, 0), by=tom)
    run_sweeps_at(at(10, 29))

    # when
    run_sweeps_at(at(10, 37))

    # then: the 10:30 report went out once, 7 minutes late, and says so
    [report] = IncidentReport.objects.all()
    assert (report.slot, report.sent_at, report.is_late) == (at(10, 30), at(10, 37), True)


def test_stakeholders_receive_the_reports_and_requesters_do_not(tom, dave, alice):
    # given: the CFO is a named stakeholder (not a manager of the desk)
    cfo = make_user("cfo", Role.REQUESTER)
    declare_at(at(10, 0), by=tom, stakeholders=[cfo])

    # when
    run_sweeps_at(at(10, 30))

    # then
    recipients = {n.recipient.username for n in in_app(ClockKind.REPORT)}
    assert recipients == {"dave", "cfo"}


def test_a_sweep_that_dies_before_commit_sends_nothing_and_the_next_one_sends_once(
    tom, dave, monkeypatch
):
    # given: declared at 10:00; the first sweep at 10:30 dies while writing notifications
    from notifications import outbox

    declare_at(at(10, 0), by=tom)
    real = outbox.save_and_dispatch
    calls = {"n": 0}

    def dies_once(rows):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("worker killed")
        return real(rows)

    monkeypatch.setattr(outbox, "save_and_dispatch", dies_once)
    with pytest.raises(RuntimeError):
        run_sweeps_at(at(10, 30))
    assert slots() == []

    # when: the restarted worker sweeps at 10:30:30
    run_sweeps_at(at(10, 30, 30))

    # then: one report, one notification to the manager
    assert slots() == [at(10, 30)]
    assert len(in_app(ClockKind.REPORT, recipient=dave)) == 1
