"""The 2-hour update cadence of an open vendor case, under a controlled clock, through the
real sweep (``sla.obligations.sweep`` and ``manage.py run_sweeps``).

Times are Asia/Shanghai; the seeded calendar works 09:00–18:00 Monday to Friday with
China's public holidays. 2026-11-24 is a Tuesday.
"""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections

from notifications.models import DigestItem, Notification
from servicedesk.lib.business_hours import add_working_seconds
from sla import obligations
from sla.calendars import default_calendar
from sla.choices import CalendarDayKind
from sla.models import BusinessCalendar, CalendarDay
from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import EventKind, WaitingOn
from tickets.models import Ticket, TicketEvent
from vendors.choices import CaseEntry, CaseStatus, ReminderKind
from vendors.models import VendorCase, VendorReminder
from vendors.obligations import CaseCadence
from vendors.services import close_case
from vendors.tests.factories import HIGH, accepted_ticket, at, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

NAME = "vendors.cadence"
DUE = ReminderKind.UPDATE_DUE
OVERDUE = ReminderKind.UPDATE_OVERDUE


def sweep_at(moment: dt.datetime) -> dict[str, int]:
    """One real sweep of the cadence at ``moment``: what it recorded, by kind."""
    with time_machine.travel(moment, tick=False):
        return obligations.sweep(obligations.get(NAME)).recorded


def told(kind: str) -> list[tuple[str, str]]:
    """(recipient, channel) of every notification of ``kind``, in order."""
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("pk")
        .values_list("recipient__username", "channel")
    )


@pytest.fixture
def case_at_10(alice, bob, tom):
    """A medium ticket filed Tuesday 09:00, accepted by bob; its case opened at 10:00."""
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 24, 9, 0))
    return open_case(ticket, bob, sh(2026, 11, 24, 10, 0))


def test_medium_case_opened_at_10_tells_the_assignee_at_12_once(case_at_10):
    # given: nothing is due before noon
    assert case_at_10.next_update_due_at == sh(2026, 11, 24, 12, 0)
    assert sweep_at(sh(2026, 11, 24, 11, 59)) == {}

    # when: the sweep runs at 12:00, then again
    first = sweep_at(sh(2026, 11, 24, 12, 0))
    again = sweep_at(sh(2026, 11, 24, 12, 10))

    # then: bob (the assignee) heard once, in the app and by e-mail; the leads not yet
    assert first == {DUE: 1}
    assert again == {}
    assert told(DUE) == [("bob", "in_app"), ("bob", "email")]
    assert told(OVERDUE) == []
    reminder = VendorReminder.objects.get(case=case_at_10)
    assert (reminder.kind, reminder.due_at) == (DUE, sh(2026, 11, 24, 12, 0))
    entry = TicketEvent.objects.get(ticket=case_at_10.ticket, kind=CaseEntry.REMINDER_DUE)
    assert entry.is_internal
    assert dt.datetime.fromisoformat(entry.data["due_at"]) == sh(2026, 11, 24, 12, 0)
    notice = Notification.objects.filter(kind=DUE).first()
    assert notice is not None
    assert notice.dedupe_key.startswith(f"vendor:{case_at_10.pk}:{DUE}:")
    assert dt.datetime.fromisoformat(notice.payload["due_at"]) == sh(2026, 11, 24, 12, 0)
    assert notice.payload["vendor"] == "Lenovo Service"
    assert notice.link == f"/tickets/{case_at_10.ticket.number}/"


def test_still_due_at_1230_tells_the_tech_leads_once(case_at_10):
    # given: the assignee was told at 12:00
    sweep_at(sh(2026, 11, 24, 12, 0))
    assert sweep_at(sh(2026, 11, 24, 12, 29)) == {}

    # when
    at_1230 = sweep_at(sh(2026, 11, 24, 12, 30))
    later = sweep_at(sh(2026, 11, 24, 13, 30))

    # then: tom (tech lead) heard once; bob was not told again; nothing more until an update
    assert at_1230 == {OVERDUE: 1}
    assert later == {}
    assert told(OVERDUE) == [("tom", "in_app"), ("tom", "email")]
    assert len(told(DUE)) == 2
    case = VendorCase.objects.get(pk=case_at_10.pk)
    assert case.next_check_at is None
    assert TicketEvent.objects.filter(kind=CaseEntry.REMINDER_OVERDUE).count() == 1


def test_a_late_sweep_records_both_reminders_at_once(case_at_10):
    # when: beat was down until 13:00
    recorded = sweep_at(sh(2026, 11, 24, 13, 0))

    # then
    assert recorded == {DUE: 1, OVERDUE: 1}
    assert {r for r, _c in told(DUE)} == {"bob"}
    assert {r for r, _c in told(OVERDUE)} == {"tom"}


def test_run_sweeps_command_runs_the_cadence(case_at_10):
    # when
    out = StringIO()
    with time_machine.travel(sh(2026, 11, 24, 12, 0), tick=False):
        call_command("run_sweeps", NAME, stdout=out)

    # then
    assert f"{NAME}: 1 due, 1 recorded ({DUE} 1)" in out.getvalue()
    assert told(DUE)[0] == ("bob", "in_app")


def test_public_update_at_1240_moves_the_next_due_time_to_1440(case_at_10, bob):
    # given: due at 12:00, overdue at 12:30
    sweep_at(sh(2026, 11, 24, 12, 0))
    sweep_at(sh(2026, 11, 24, 12, 30))

    # when: bob tells the requester how it stands at 12:40
    at(
        sh(2026, 11, 24, 12, 40),
        ticket_services.add_message,
        case_at_10.ticket_id,
        actor=bob,
        body="Lenovo confirmed the mainboard ships tomorrow morning.",
    )

    # then: due again 2 h after the update; the sweep reminds at 14:40, not before
    case = VendorCase.objects.get(pk=case_at_10.pk)
    assert case.last_update_at == sh(2026, 11, 24, 12, 40)
    assert case.next_update_due_at == sh(2026, 11, 24, 14, 40)
    assert case.next_check_at == sh(2026, 11, 24, 14, 40)
    assert sweep_at(sh(2026, 11, 24, 14, 39)) == {}
    assert sweep_at(sh(2026, 11, 24, 14, 40)) == {DUE: 1}
    assert VendorReminder.objects.filter(case=case, kind=DUE).count() == 2
    assert len(told(DUE)) == 4


def test_internal_note_and_requesters_reply_are_not_updates(case_at_10, alice, bob):
    # when: an internal note and the requester's own message
    at(
        sh(2026, 11, 24, 11, 0),
        ticket_services.add_message,
        case_at_10.ticket_id,
        actor=bob,
        body="Vendor hotline queue is long today",
        internal=True,
    )
    at(
        sh(2026, 11, 24, 11, 30),
        ticket_services.add_message,
        case_at_10.ticket_id,
        actor=alice,
        body="Any news?",
    )

    # then: still due at 12:00
    assert VendorCase.objects.get(pk=case_at_10.pk).next_update_due_at == sh(2026, 11, 24, 12, 0)
    assert sweep_at(sh(2026, 11, 24, 12, 0)) == {DUE: 1}


def test_case_opened_at_17_falls_due_at_10_the_next_working_day(alice, bob):
    # given: Tuesday 17:00; one working hour left today
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 24, 9, 0))

    # when
    case = open_case(ticket, bob, sh(2026, 11, 24, 17, 0))

    # then: 1 h on Tuesday, 1 h on Wednesday; quiet overnight
    assert case.next_update_due_at == sh(2026, 11, 25, 10, 0)
    assert sweep_at(sh(2026, 11, 24, 23, 0)) == {}
    assert sweep_at(sh(2026, 11, 25, 10, 0)) == {DUE: 1}
    assert sweep_at(sh(2026, 11, 25, 10, 29)) == {}
    assert sweep_at(sh(2026, 11, 25, 10, 30)) == {OVERDUE: 1}


def test_a_company_holiday_is_skipped(alice, bob):
    # given: Wednesday 2026-11-25 made a holiday on the desk's calendar
    calendar = BusinessCalendar.objects.get(is_default=True)
    CalendarDay.objects.create(
        calendar=calendar, date=dt.date(2026, 11, 25), kind=CalendarDayKind.HOLIDAY, name="Away day"
    )
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 24, 9, 0))

    # when
    case = open_case(ticket, bob, sh(2026, 11, 24, 17, 0))

    # then: due Thursday 10:00; nothing on the holiday
    assert case.next_update_due_at == sh(2026, 11, 26, 10, 0)
    assert sweep_at(sh(2026, 11, 25, 12, 0)) == {}
    assert sweep_at(sh(2026, 11, 26, 10, 0)) == {DUE: 1}


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        # Thursday before the Mid-autumn Festival (Fri 25 to Sun 27 off): due Monday 10:00
        (sh(2026, 9, 24, 17, 0), sh(2026, 9, 28, 10, 0)),
        # the eve of National Day (1-7 October off; Saturday the 10th is worked): Thursday 8th
        (sh(2026, 9, 30, 17, 0), sh(2026, 10, 8, 10, 0)),
    ],
    ids=["mid-autumn", "national-day"],
)
def test_case_opened_before_a_public_holiday_falls_due_after_it(alice, bob, opened, due):
    # given
    ticket = accepted_ticket(alice, bob, opened - dt.timedelta(hours=7))

    # when
    case = open_case(ticket, bob, opened)

    # then
    assert case.next_update_due_at == due
    assert sweep_at(due - dt.timedelta(minutes=1)) == {}
    assert sweep_at(due) == {DUE: 1}


def test_high_case_opened_at_23_falls_due_at_01_round_the_clock(alice, bob, tom):
    # given: a high-priority ticket (7×24) filed late on Tuesday
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 24, 22, 30), **HIGH)
    assert ticket.priority == "high"

    # when
    case = open_case(ticket, bob, sh(2026, 11, 24, 23, 0))

    # then: 01:00 the same night; the leads at 01:30
    assert case.next_update_due_at == sh(2026, 11, 25, 1, 0)
    assert sweep_at(sh(2026, 11, 25, 1, 0)) == {DUE: 1}
    assert sweep_at(sh(2026, 11, 25, 1, 30)) == {OVERDUE: 1}
    assert {r for r, _c in told(OVERDUE)} == {"tom"}


def test_closing_at_1510_resumes_the_clock_moved_by_the_time_the_case_was_open(case_at_10, bob):
    # given: filed 09:00, due 17:00; on hold from 10:00
    ticket = Ticket.objects.get(pk=case_at_10.ticket_id)
    before = ticket.resolution_due_at
    assert before == sh(2026, 11, 24, 17, 0)
    assert ticket.waiting_on == WaitingOn.VENDOR
    assert ticket.sla_paused_at == sh(2026, 11, 24, 10, 0)

    # when: the vendor's part is done at 15:10
    at(
        sh(2026, 11, 24, 15, 10),
        close_case,
        ticket.pk,
        case_at_10.pk,
        actor=bob,
        outcome="Mainboard replaced",
    )

    # then: 5 h 10 min of working time held; the deadline moved by exactly that
    ticket.refresh_from_db()
    held = 5 * 3600 + 10 * 60
    assert ticket.waiting_on == WaitingOn.NONE
    assert ticket.sla_paused_at is None
    assert ticket.held_seconds == held
    assert ticket.resolution_due_at == add_working_seconds(before, held, default_calendar())
    assert ticket.resolution_due_at == sh(2026, 11, 25, 13, 10)
    resumed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_RESUMED)
    assert resumed.data["reason"] == "vendor_case_closed"
    assert resumed.data["held_seconds"] == held
    case = VendorCase.objects.get(pk=case_at_10.pk)
    assert (case.status, case.next_update_due_at, case.next_check_at) == (
        CaseStatus.CLOSED,
        None,
        None,
    )
    assert sweep_at(sh(2026, 11, 24, 18, 0)) == {}
    assert told(DUE) == []


def test_a_case_on_a_ticket_closed_meanwhile_stops_reminding(case_at_10, alice):
    # given: alice cannot cancel an accepted ticket, but a merge closes it as a duplicate
    survivor = accepted_ticket(alice, case_at_10.opened_by, sh(2026, 11, 24, 9, 30))
    at(
        sh(2026, 11, 24, 11, 0),
        ticket_services.merge_ticket,
        case_at_10.ticket_id,
        actor=case_at_10.opened_by,
        into=survivor.number,
    )

    # when
    recorded = sweep_at(sh(2026, 11, 24, 12, 30))

    # then: nothing to tell about a finished ticket, and nothing left to watch
    assert recorded == {}
    assert VendorCase.objects.get(pk=case_at_10.pk).next_check_at is None


# --- two sweeps at once ------------------------------------------------------------------


class MeetInsideFirstBatch(CaseCadence):
    """Each sweep's first announcement waits for the other's, its batch's rows still locked:
    the two sweeps are certainly at work at the same time."""

    def __init__(self, sweeps: int) -> None:
        super().__init__()
        self.meeting = threading.Barrier(sweeps, timeout=20)
        self.met = threading.local()

    def announce(self, rows, recorded, now):
        super().announce(rows, recorded, now)
        if not getattr(self.met, "done", False):
            self.met.done = True
            self.meeting.wait()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_each_assignee_once(alice, bob, tom):
    # given: 24 medium tickets, each with a case opened at 10:00 (due at 12:00)
    cases = [
        open_case(accepted_ticket(alice, bob, sh(2026, 11, 24, 9, 0)), bob, sh(2026, 11, 24, 10, 0))
        for _ in range(24)
    ]
    declaration = MeetInsideFirstBatch(sweeps=2)
    results: list[obligations.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(
                obligations.sweep(declaration, now=sh(2026, 11, 24, 12, 0), batch_size=4)
            )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    # when: two sweeps at 12:00, each on its own connection
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: they shared the work, and between them recorded and announced each case once
    assert not errors, errors
    assert all(result.total > 0 for result in results), results
    assert sum(result.total for result in results) == 24
    assert VendorReminder.objects.filter(kind=DUE).count() == 24
    assert TicketEvent.objects.filter(kind=CaseEntry.REMINDER_DUE).count() == 24
    # each case told to bob once: one by one up to the digest threshold (each sweep counts
    # what was committed before it), the rest folded into the window's digest (issue 17)
    one_by_one = list(
        Notification.objects.filter(kind=DUE, channel="in_app").values_list(
            "payload__number", flat=True
        )
    )
    folded = list(
        DigestItem.objects.filter(digest__recipient=bob, digest__kind=DUE).values_list(
            "number", flat=True
        )
    )
    numbers = Ticket.objects.filter(vendor_cases__in=cases).values_list("number", flat=True)
    assert sorted(one_by_one + folded) == sorted(numbers)
    assert Notification.objects.filter(kind=DUE, channel="email").count() == len(one_by_one)
    assert {c.pk for c in cases} == set(VendorReminder.objects.values_list("case_id", flat=True))
