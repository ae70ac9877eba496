"""Holds pause the resolution clock; its deadline moves by exactly the held working time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from servicedesk.lib.business_hours import add_working_seconds
from sla.calendars import default_calendar
from tests.clock import sh
from tickets import services
from tickets.choices import EventKind, Impact, TicketState, Urgency
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.obligations import sweep_sla
from tickets.tests.factories import DIAGNOSIS, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}


def at(moment: dt.datetime, action, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


def accepted_ticket(alice, bob, submitted_at: dt.datetime) -> Ticket:
    ticket = at(submitted_at, make_ticket, requester=alice, **MEDIUM)
    at(submitted_at + dt.timedelta(minutes=5), services.accept_ticket, ticket.pk, actor=bob)
    return Ticket.objects.get(pk=ticket.pk)


def test_answer_after_two_working_hours_moves_the_deadline_two_working_hours(alice, bob):
    # given: filed Monday 09:00, due 17:00; bob asks for details at 10:00
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 23, 9, 0))
    before = ticket.resolution_due_at
    at(sh(2026, 11, 23, 10, 0), services.request_info, ticket.pk, actor=bob, question="Which PC?")

    # when: alice answers at 12:00
    at(sh(2026, 11, 23, 12, 0), services.add_message, ticket.pk, actor=alice, body="PC-0042")

    # then
    ticket.refresh_from_db()
    assert before == sh(2026, 11, 23, 17, 0)
    assert ticket.held_seconds == 2 * 3600
    assert ticket.resolution_due_at == add_working_seconds(before, 2 * 3600, default_calendar())
    assert ticket.resolution_due_at == sh(2026, 11, 24, 10, 0)
    assert ticket.sla_paused_at is None


def test_hold_over_a_weekend_counts_only_working_hours(alice, bob):
    # given: filed Friday 13:00, due Monday 12:00; on hold from Friday 17:00
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 20, 13, 0))
    before = ticket.resolution_due_at
    at(sh(2026, 11, 20, 17, 0), services.request_info, ticket.pk, actor=bob, question="Which PC?")

    # when: the answer comes Monday 10:00
    at(sh(2026, 11, 23, 10, 0), services.add_message, ticket.pk, actor=alice, body="PC-0042")

    # then: 1 h on Friday + 1 h on Monday, not 65 wall-clock hours
    ticket.refresh_from_db()
    assert before == sh(2026, 11, 23, 12, 0)
    assert ticket.held_seconds == 2 * 3600
    assert ticket.resolution_due_at == sh(2026, 11, 23, 14, 0)
    resumed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_RESUMED)
    assert resumed.data["held_seconds"] == 2 * 3600
    assert resumed.data["reason"] == "requester_answered"
    assert dt.datetime.fromisoformat(resumed.data["to"]) == sh(2026, 11, 23, 14, 0)


def test_hold_records_the_pause_and_stops_the_sweep_watching(alice, bob):
    # given
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 23, 9, 0))

    # when
    at(sh(2026, 11, 23, 10, 0), services.request_info, ticket.pk, actor=bob, question="Which PC?")

    # then
    ticket.refresh_from_db()
    assert ticket.sla_paused_at == sh(2026, 11, 23, 10, 0)
    assert ticket.sla_next_check_at is None
    paused = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_PAUSED)
    assert paused.data["reason"] == "waiting_on_requester"


def test_rejected_fix_resumes_with_the_time_awaiting_verification_added(alice, bob):
    # given: resolved Monday 10:00 (the clock pauses while alice checks)
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 23, 9, 0))
    at(sh(2026, 11, 23, 9, 20), services.diagnose_ticket, ticket.pk, actor=bob, **DIAGNOSIS)
    at(sh(2026, 11, 23, 10, 0), services.resolve_ticket, ticket.pk, actor=bob, solution="Fixed")
    assert Ticket.objects.get(pk=ticket.pk).sla_paused_at == sh(2026, 11, 23, 10, 0)

    # when: alice says it still fails at 11:30
    at(sh(2026, 11, 23, 11, 30), services.reject_fix, ticket.pk, actor=alice, reason="Still blank")

    # then: 1.5 working hours added to the 17:00 deadline
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DIAGNOSED
    assert ticket.sla_paused_at is None
    assert ticket.held_seconds == 90 * 60
    assert ticket.resolution_due_at == sh(2026, 11, 24, 9, 30)
    assert ticket.sla_next_check_at == ticket.resolution_warn_at
    resumed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_RESUMED)
    assert resumed.data["reason"] == "fix_rejected"


def test_two_holds_add_up(alice, bob):
    # given
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 23, 9, 0))
    for asked, answered in ((10, 11), (14, 16)):
        at(sh(2026, 11, 23, asked), services.request_info, ticket.pk, actor=bob, question="?")
        at(sh(2026, 11, 23, answered), services.add_message, ticket.pk, actor=alice, body="!")

    # then: 1 h + 2 h
    ticket.refresh_from_db()
    assert ticket.held_seconds == 3 * 3600
    assert ticket.resolution_due_at == sh(2026, 11, 24, 11, 0)


def test_paused_tickets_are_not_breached_by_the_sweep(alice, bob):
    # given: on hold since Monday 10:00
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 23, 9, 0))
    at(sh(2026, 11, 23, 10, 0), services.request_info, ticket.pk, actor=bob, question="Which PC?")

    # when: the sweep runs a week after the original deadline
    recorded = sweep_sla(now=sh(2026, 11, 30, 18, 0))

    # then
    ticket.refresh_from_db()
    assert recorded == 0
    assert ticket.resolution_breached_at is None
    assert not SlaEvent.objects.filter(ticket=ticket).exists()


def test_ticket_awaiting_verification_is_not_breached_by_the_sweep(alice, bob):
    # given: resolved, and even marked for a check by mistake
    ticket = accepted_ticket(alice, bob, sh(2026, 11, 23, 9, 0))
    at(sh(2026, 11, 23, 9, 20), services.diagnose_ticket, ticket.pk, actor=bob, **DIAGNOSIS)
    at(sh(2026, 11, 23, 10, 0), services.resolve_ticket, ticket.pk, actor=bob, solution="Fixed")
    Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=sh(2026, 11, 23, 10, 1))

    # when
    recorded = sweep_sla(now=sh(2026, 11, 30, 18, 0))

    # then: nothing recorded, and the sweep stops looking at it
    ticket.refresh_from_db()
    assert recorded == 0
    assert not SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.RESOLUTION_BREACH).exists()
    assert ticket.sla_next_check_at is None
