"""Deadlines a ticket gets when it is filed, at the edges of the business calendar.

Every ticket is filed through ``services.submit_ticket`` at a controlled moment.
The default calendar is the seeded Chinese one (Asia/Shanghai, 09:00–18:00,
holidays and adjusted working weekends from ``chinesecalendar``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from accounts.models import Site
from sla.calendars import clear_calendar_cache
from sla.models import BusinessCalendar, SiteCalendar
from tests.clock import SHANGHAI, sh
from tickets import services
from tickets.choices import EventKind, Impact, Priority, Urgency
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}
LOW = {"impact": Impact.SINGLE, "urgency": Urgency.EXPERIENCE}
HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}


@pytest.fixture(autouse=True)
def default_calendar(seeded_calendar):
    """The seeded calendar and policies (re-seeded if a transactional test flushed them)."""
    return BusinessCalendar.objects.get(is_default=True)


def file_at(moment: dt.datetime, requester, **fields):
    with time_machine.travel(moment, tick=False):
        return make_ticket(requester=requester, **fields)


def test_medium_ticket_late_on_friday_is_due_monday_morning(alice):
    # when
    ticket = file_at(sh(2026, 11, 20, 17, 50), alice, **MEDIUM)

    # then: 10 minutes on Friday, 20 on Monday
    assert ticket.priority == Priority.MEDIUM
    assert ticket.response_due_at == sh(2026, 11, 23, 9, 20)
    assert ticket.response_warn_at == sh(2026, 11, 23, 9, 14)  # 80 % of 30 minutes
    assert ticket.resolution_due_at == sh(2026, 11, 23, 16, 50)  # 8 working hours
    assert ticket.sla_next_check_at == ticket.response_warn_at


def test_server_time_zone_does_not_change_the_deadline(alice):
    # given: the same moment as above, on a server configured for UTC
    with override_settings(TIME_ZONE="UTC"):
        # when
        ticket = file_at(dt.datetime(2026, 11, 20, 9, 50, tzinfo=dt.UTC), alice, **MEDIUM)

    # then: the same instant
    assert ticket.response_due_at == sh(2026, 11, 23, 9, 20)
    assert ticket.resolution_due_at == sh(2026, 11, 23, 16, 50)


def test_medium_ticket_before_national_day_is_due_after_the_holidays(alice):
    # when: Wednesday 2026-09-30 17:50; 10-01 to 10-07 are holidays
    ticket = file_at(sh(2026, 9, 30, 17, 50), alice, **MEDIUM)

    # then
    assert ticket.response_due_at == sh(2026, 10, 8, 9, 20)
    assert ticket.resolution_due_at == sh(2026, 10, 8, 16, 50)


def test_ticket_on_an_adjusted_working_saturday_is_due_the_same_day(alice):
    # when: Saturday 2026-10-10 is worked in exchange for National Day
    ticket = file_at(sh(2026, 10, 10, 10, 0), alice, **MEDIUM)

    # then
    assert ticket.response_due_at == sh(2026, 10, 10, 10, 30)
    assert ticket.resolution_due_at == sh(2026, 10, 10, 18, 0)


def test_lunch_break_is_not_working_time(alice, default_calendar):
    # given: the calendar gets a 12:00-13:00 lunch break
    default_calendar.weekly_hours = [["09:00-12:00", "13:00-18:00"]] * 5 + [[], []]
    default_calendar.save()
    clear_calendar_cache()

    # when: filed at noon on Tuesday 2026-11-24
    ticket = file_at(sh(2026, 11, 24, 12, 0), alice, **MEDIUM)

    # then: 5 h on Tuesday afternoon, 3 h on Wednesday morning
    assert ticket.response_due_at == sh(2026, 11, 24, 13, 30)
    assert ticket.resolution_due_at == sh(2026, 11, 25, 12, 0)


def test_high_ticket_runs_on_a_24x7_clock_even_on_a_holiday_night(alice):
    # when: 03:00 on National Day
    ticket = file_at(sh(2026, 10, 1, 3, 0), alice, **HIGH)

    # then
    assert ticket.priority == Priority.HIGH
    assert ticket.response_due_at == sh(2026, 10, 1, 3, 15)
    assert ticket.response_warn_at == sh(2026, 10, 1, 3, 12)
    assert ticket.resolution_due_at == sh(2026, 10, 1, 7, 0)


def test_low_ticket_has_24_working_hours_to_be_resolved(alice):
    # when: Monday 2026-11-23 09:00
    ticket = file_at(sh(2026, 11, 23, 9, 0), alice, **LOW)

    # then: two full days (18 h) and 6 h on Wednesday
    assert ticket.priority == Priority.LOW
    assert ticket.response_due_at == sh(2026, 11, 23, 9, 30)
    assert ticket.resolution_due_at == sh(2026, 11, 25, 15, 0)


def test_submission_records_how_the_clocks_started(alice):
    # when
    ticket = file_at(sh(2026, 11, 20, 17, 50), alice, **MEDIUM)

    # then
    started = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_STARTED)
    assert started.data["priority"] == Priority.MEDIUM
    assert dt.datetime.fromisoformat(started.data["response_due_at"]) == sh(2026, 11, 23, 9, 20)
    assert started.data["respond_minutes"] == 30
    assert started.data["resolve_minutes"] == 8 * 60


def test_raising_priority_restarts_both_clocks_and_says_why(alice, bob):
    # given: a low ticket filed Monday 09:00
    ticket = file_at(sh(2026, 11, 23, 9, 0), alice, **LOW)

    # when: five minutes later an engineer makes it high
    with time_machine.travel(sh(2026, 11, 23, 9, 5), tick=False):
        changed = services.change_priority(
            ticket.pk, actor=bob, priority=Priority.HIGH, reason="The whole floor is affected"
        )

    # then: high budgets on the 24x7 clock, restarted at the change (the policy's rule)
    assert changed.response_due_at == sh(2026, 11, 23, 9, 20)
    assert changed.resolution_due_at == sh(2026, 11, 23, 13, 5)
    assert changed.sla_next_check_at == sh(2026, 11, 23, 9, 17)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_RECALCULATED)
    assert event.data["reason"] == "The whole floor is affected"
    assert event.data["priority"] == Priority.HIGH
    assert event.data["rule"] == "restart"
    assert event.data["response_elapsed_seconds"] == 5 * 60
    assert dt.datetime.fromisoformat(event.data["response_from"]) == sh(2026, 11, 23, 9, 30)
    assert dt.datetime.fromisoformat(event.data["response_to"]) == sh(2026, 11, 23, 9, 20)
    assert dt.datetime.fromisoformat(event.data["resolution_from"]) == sh(2026, 11, 25, 15, 0)
    assert dt.datetime.fromisoformat(event.data["resolution_to"]) == sh(2026, 11, 23, 13, 5)


def test_a_site_with_its_own_calendar_uses_it(alice):
    # given: a Berlin office, Monday to Friday 09:00-18:00 local time, no Chinese holidays
    berlin = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    site = Site.objects.create(code="ber", name="Berlin", time_zone="Europe/Berlin")
    SiteCalendar.objects.create(site=site, calendar=berlin)
    alice.site = site
    alice.save(update_fields=["site"])

    # when: 10:00 in Shanghai on National Day is 04:00 on a Thursday in Berlin
    ticket = file_at(sh(2026, 10, 1, 10, 0), alice, **MEDIUM)

    # then: counting starts at 09:00 Berlin time
    assert ticket.response_due_at == dt.datetime(
        2026, 10, 1, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_a_year_without_known_holidays_follows_the_weekly_pattern(alice, default_calendar):
    # given: holidays are known through 2026 at most
    assert default_calendar.covered_through is not None
    year = default_calendar.covered_through + 5

    # when: filed on 1 October of a later year, a weekday
    day = dt.date(year, 10, 1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    ticket = file_at(dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI), alice, **MEDIUM)

    # then: no exception; treated as an ordinary working day
    assert ticket.response_due_at == dt.datetime.combine(day, dt.time(10, 30), tzinfo=SHANGHAI)
