""" "Working now" at the clock's edges, by the default calendar (Asia/Shanghai, 09:00–18:00,
mainland China's holidays and adjusted working days) and by a person's own calendar."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from people.choices import AssignMode, SkillLevel, UnassignedNote
from people.tests.conftest import SHANGHAI
from people.tests.factories import give_skills, set_profile
from servicedesk.lib.business_hours import is_working, standard_calendar
from sla.calendars import calendar_by_id, default_calendar
from sla.models import BusinessCalendar
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (_at(2026, 11, 25, 17, 59), True),  # a Wednesday, a minute before closing
        (_at(2026, 11, 25, 18, 0), False),  # closing time itself is after hours
        (_at(2026, 11, 25, 9, 0), True),  # opening time is working
        (_at(2026, 11, 25, 8, 59, 59), False),
        (_at(2026, 10, 1, 10, 0), False),  # National Day, a Thursday
        (_at(2026, 10, 10, 10, 0), True),  # an adjusted working Saturday (调休)
        (_at(2026, 10, 17, 10, 0), False),  # an ordinary Saturday
    ],
)
def test_is_working_at_the_edges_of_the_default_calendar(seeded_calendar, moment, working):
    assert is_working(moment, default_calendar()) is working


def test_is_working_reads_the_calendars_zone():
    # given: 09:00–18:00 in Shanghai; 09:30 UTC is 17:30 there, 10:00 UTC is 18:00
    calendar = standard_calendar("Asia/Shanghai")

    # then
    assert is_working(dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC), calendar)
    assert not is_working(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC), calendar)


def test_a_persons_calendar_is_read_by_id_and_a_missing_one_is_the_default(seeded_calendar):
    night = BusinessCalendar.objects.create(name="Nights", weekly_hours=[["20:00-23:00"]] * 7)

    assert is_working(_at(2026, 11, 25, 21, 0), calendar_by_id(night.pk))
    assert not is_working(_at(2026, 11, 25, 10, 0), calendar_by_id(night.pk))
    assert calendar_by_id(None) == default_calendar()
    assert calendar_by_id(night.pk + 1000) == default_calendar()


@pytest.mark.parametrize(
    ("moment", "assigned"),
    [
        (_at(2026, 11, 25, 17, 59), True),
        (_at(2026, 11, 25, 18, 0), False),
        (_at(2026, 10, 1, 10, 0), False),
        (_at(2026, 10, 10, 10, 0), True),
    ],
)
@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED)
def test_a_ticket_is_assigned_only_while_the_engineer_is_on_shift(
    seeded_calendar, printers, alice, ann, moment, assigned
):
    # given: ann works by the desk's default calendar
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))

    # when
    with time_machine.travel(moment, tick=False):
        ticket = make_ticket(requester=alice, category=printers)

    # then
    ticket = Ticket.objects.get(pk=ticket.pk)
    if assigned:
        assert ticket.assignee == ann
    else:
        assert ticket.assignee is None
        assert ticket.assign_note == UnassignedNote.OFF_SHIFT


@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED)
def test_the_night_shift_takes_the_evening_tickets(seeded_calendar, printers, alice, ann, ben):
    # given: ann by the default calendar, ben at night
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    night = BusinessCalendar.objects.create(name="Nights", weekly_hours=[["18:00-23:00"]] * 7)
    set_profile(ben, calendar=night)

    # when
    with time_machine.travel(_at(2026, 11, 25, 17, 59), tick=False):
        before = make_ticket(requester=alice, category=printers)
    with time_machine.travel(_at(2026, 11, 25, 18, 0), tick=False):
        after = make_ticket(requester=alice, category=printers)

    # then
    assert Ticket.objects.get(pk=before.pk).assignee == ann
    assert Ticket.objects.get(pk=after.pk).assignee == ben
