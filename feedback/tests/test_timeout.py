"""A verified ticket whose survey nobody answers closes after ``FEEDBACK_SURVEY_CLOSE_DAYS``
(3) working days on its site's calendar: the timed obligation ``feedback.survey_close`` on
``sla``'s mechanism, through the real sweep, under a controlled clock, each ticket closed
exactly once even with two sweeps at once.

Times are Asia/Shanghai unless said otherwise; the seeded calendar works Monday to Friday
with China's public holidays: 1–7 October 2026 off, Saturday 10 October worked.
"""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings

from accounts.models import Site
from feedback.choices import SurveyEntry, TimeoutKind
from feedback.models import Survey, SurveyTimeout
from feedback.obligations import SurveyClose
from sla import obligations
from sla.models import BusinessCalendar, SiteCalendar
from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import ClosedAs, TicketState
from tickets.models import Ticket, TicketEvent

from .factories import answer, at, verified_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

NAME = "feedback.survey_close"


def sweep_at(moment: dt.datetime) -> dict[str, int]:
    """One real sweep of the survey time-out at ``moment``: what it recorded, by kind."""
    with time_machine.travel(moment, tick=False):
        return obligations.sweep(obligations.get(NAME)).recorded


def state_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).state


CLOSED = {TimeoutKind.CLOSE_UNANSWERED: 1}


def test_verified_friday_closes_unanswered_at_thursday_midnight(alice, bob):
    # given: verified Friday 10:00; Saturday and Sunday do not count
    ticket = verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))
    assert Survey.objects.get(ticket=ticket).close_at == sh(2026, 11, 26, 0, 0)

    # when: the sweep runs at the end of Wednesday, at midnight, and again
    early = sweep_at(sh(2026, 11, 25, 23, 59))
    on_time = sweep_at(sh(2026, 11, 26, 0, 0))
    again = sweep_at(sh(2026, 11, 26, 0, 5))

    # then: closed once, at midnight, as completed, by the system
    assert (early, on_time, again) == ({}, CLOSED, {})
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.state, fresh.closed_as, fresh.closed_at) == (
        TicketState.CLOSED,
        ClosedAs.COMPLETED,
        sh(2026, 11, 26, 0, 0),
    )
    entry = TicketEvent.objects.get(ticket=ticket, kind=SurveyEntry.CLOSED_UNANSWERED)
    assert entry.actor is None and not entry.is_internal
    assert (entry.from_state, entry.to_state) == (TicketState.VERIFIED, TicketState.CLOSED)
    assert entry.data["days"] == 3
    survey = Survey.objects.get(ticket=ticket)
    assert survey.close_at is None and survey.answered_at is None
    recorded = SurveyTimeout.objects.get(survey=survey)
    assert (recorded.kind, recorded.due_at) == (TimeoutKind.CLOSE_UNANSWERED, sh(2026, 11, 26))


def test_national_day_and_its_weekend_do_not_count_and_the_adjusted_saturday_does(alice, bob):
    # given: verified on 30 September; 1–7 October are holidays (a weekend among them),
    # Saturday 10 October is a working day: the three days are 8, 9 and 10 October
    ticket = verified_ticket(alice, bob, sh(2026, 9, 30, 16, 0))
    assert Survey.objects.get(ticket=ticket).close_at == sh(2026, 10, 11, 0, 0)

    # then: still open at the end of the adjusted Saturday, closed at midnight after it
    assert sweep_at(sh(2026, 10, 8, 9, 0)) == {}
    assert sweep_at(sh(2026, 10, 10, 23, 59)) == {}
    assert state_of(ticket) == TicketState.VERIFIED
    assert sweep_at(sh(2026, 10, 11, 0, 0)) == CLOSED
    assert state_of(ticket) == TicketState.CLOSED


def test_a_site_with_its_own_calendar_counts_its_own_days(alice, bob):
    # given: a Berlin office keeping no Chinese holidays, in its own zone
    berlin = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    site = Site.objects.create(code="ber", name="Berlin", time_zone="Europe/Berlin")
    SiteCalendar.objects.create(site=site, calendar=berlin)
    alice.site = site
    alice.save(update_fields=["site"])

    # when: verified on 30 September (10:00 in Berlin)
    ticket = verified_ticket(alice, bob, sh(2026, 9, 30, 16, 0))

    # then: Thursday 1, Friday 2 and Monday 5 October count: Tuesday 00:00 in Berlin
    close_at = dt.datetime(2026, 10, 6, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert Survey.objects.get(ticket=ticket).close_at == close_at
    assert sweep_at(close_at - dt.timedelta(minutes=1)) == {}
    assert sweep_at(close_at) == CLOSED


@override_settings(FEEDBACK_SURVEY_CLOSE_DAYS=1)
def test_the_number_of_days_is_a_setting(alice, bob):
    ticket = verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))
    assert Survey.objects.get(ticket=ticket).close_at == sh(2026, 11, 24, 0, 0)


def test_an_answered_survey_leaves_nothing_to_time_out(alice, bob):
    ticket = verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))
    answer(ticket, alice, sh(2026, 11, 23, 9, 0))

    assert sweep_at(sh(2026, 11, 27, 0, 0)) == {}
    assert not TicketEvent.objects.filter(kind=SurveyEntry.CLOSED_UNANSWERED).exists()
    assert SurveyTimeout.objects.count() == 0


def test_a_ticket_reopened_meanwhile_is_not_closed(alice, bob):
    # given: verified Friday, reopened on Monday
    ticket = verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))
    at(
        sh(2026, 11, 23, 9, 0),
        ticket_services.reopen_ticket,
        ticket.pk,
        actor=alice,
        reason="Again",
    )

    # when
    recorded = sweep_at(sh(2026, 11, 26, 0, 0))

    # then: nothing recorded, nothing left to watch until it is verified again
    assert recorded == {}
    assert state_of(ticket) == TicketState.DIAGNOSED
    assert Survey.objects.get(ticket=ticket).close_at is None


def test_a_ticket_an_engineer_closed_is_left_alone(alice, bob):
    ticket = verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))
    at(sh(2026, 11, 20, 11, 0), ticket_services.close_ticket, ticket.pk, actor=bob)

    assert sweep_at(sh(2026, 11, 26, 0, 0)) == {}
    assert Ticket.objects.get(pk=ticket.pk).closed_at == sh(2026, 11, 20, 11, 0)
    assert Survey.objects.get(ticket=ticket).close_at is None


def test_run_sweeps_command_runs_the_time_out(alice, bob):
    verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))

    out = StringIO()
    with time_machine.travel(sh(2026, 11, 26, 0, 0), tick=False):
        call_command("run_sweeps", NAME, stdout=out)

    assert f"{NAME}: 1 due, 1 recorded ({TimeoutKind.CLOSE_UNANSWERED} 1)" in out.getvalue()


# --- concurrency ------------------------------------------------------------------------------


class MeetInsideFirstBatch(SurveyClose):
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
def test_two_sweeps_at_once_close_each_ticket_once(alice, bob):
    # given: 12 tickets verified on Friday, none rated
    tickets = [verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0)) for _ in range(12)]
    declaration = MeetInsideFirstBatch(sweeps=2)
    results: list[obligations.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(obligations.sweep(declaration, now=sh(2026, 11, 26, 0, 0), batch_size=3))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    # when: two sweeps at Thursday midnight, each on its own connection
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: they shared the work and between them closed each ticket exactly once
    assert not errors, errors
    assert all(result.total > 0 for result in results), results
    assert sum(result.total for result in results) == 12
    assert SurveyTimeout.objects.count() == 12
    assert TicketEvent.objects.filter(kind=SurveyEntry.CLOSED_UNANSWERED).count() == 12
    assert set(Ticket.objects.values_list("state", flat=True)) == {TicketState.CLOSED}
    assert {t.pk for t in tickets} == set(
        TicketEvent.objects.filter(kind=SurveyEntry.CLOSED_UNANSWERED).values_list(
            "ticket_id", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_ticket_a_service_holds_is_looked_at_again_a_minute_later(alice, bob):
    # given: a ticket due at Thursday midnight, its row held by a service (another connection)
    ticket = verified_ticket(alice, bob, sh(2026, 11, 20, 10, 0))
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=20)

    # when: the sweep runs meanwhile (it never waits for the ticket)
    try:
        during = obligations.sweep(SurveyClose(), now=sh(2026, 11, 26, 0, 0)).recorded
    finally:
        release.set()
        holder.join(timeout=20)

    # then: nothing recorded, looked at again a minute later, closed then
    assert during == {}
    assert Survey.objects.get(ticket=ticket).close_at == sh(2026, 11, 26, 0, 1)
    assert state_of(ticket) == TicketState.VERIFIED
    assert sweep_at(sh(2026, 11, 26, 0, 1)) == CLOSED
    assert state_of(ticket) == TicketState.CLOSED
