"""Fixes the requester never answers are verified after N working days (DESIGN.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from servicedesk.lib.business_hours import end_of_working_days, standard_calendar
from sla.calendars import clear_calendar_cache, default_calendar
from tests.clock import sh
from tickets.choices import EventKind, TicketState
from tickets.models import Ticket, TicketEvent
from tickets.services import auto_verify_resolved
from tickets.tests.factories import make_ticket_in

pytestmark = pytest.mark.django_db


def resolved_at(moment: dt.datetime, alice, bob) -> Ticket:
    with time_machine.travel(moment, tick=False):
        return make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)


def test_three_working_days_after_friday_end_at_thursday_midnight():
    calendar = standard_calendar()
    assert end_of_working_days(sh(2026, 11, 20, 10, 0), 3, calendar) == sh(2026, 11, 26, 0, 0)


def test_national_day_does_not_count_and_the_adjusted_saturday_does():
    # given: resolved on 30 September; 1-7 October are holidays, Saturday 10 October is worked
    clear_calendar_cache()
    calendar = default_calendar()

    # then: the three working days are 8, 9 and 10 October
    assert end_of_working_days(sh(2026, 9, 30, 16, 0), 3, calendar) == sh(2026, 10, 11, 0, 0)


@override_settings(TICKETS_AUTO_VERIFY_DAYS=3)
def test_a_silent_requester_s_fix_is_verified_after_three_working_days(alice, bob):
    # given: resolved on Friday morning, no answer since
    ticket = resolved_at(sh(2026, 11, 20, 10, 0), alice, bob)

    # when: the hourly task runs on Wednesday evening, then just after midnight
    early = auto_verify_resolved(now=sh(2026, 11, 25, 23, 59))
    late = auto_verify_resolved(now=sh(2026, 11, 26, 0, 1))

    # then: only the second run verifies it, as the system, with a note
    assert (early, late) == (0, 1)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.VERIFIED
    # the note is written in the desk's default language (Chinese here)
    assert ticket.verification_note == "自动确认：3 个工作日内未收到申报人答复。"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.VERIFIED)
    assert event.actor is None and event.data["auto"] is True
    assert ticket.sla_next_check_at is None


@override_settings(TICKETS_AUTO_VERIFY_DAYS=3)
def test_a_rejected_fix_is_not_verified_behind_the_requester_s_back(alice, bob):
    from tickets import services

    ticket = resolved_at(sh(2026, 11, 20, 10, 0), alice, bob)
    with time_machine.travel(sh(2026, 11, 20, 11, 0), tick=False):
        services.reject_fix(ticket.pk, actor=alice, reason="Still prints blank pages")

    assert auto_verify_resolved(now=sh(2026, 11, 30, 9, 0)) == 0
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DIAGNOSED
