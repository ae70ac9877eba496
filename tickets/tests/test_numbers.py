"""Ticket numbers: IT-YYYYMMDD-NNNN in the desk's local date (Asia/Shanghai), increasing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_number_uses_shanghai_date_not_utc_date(alice):
    # given: 23:30 UTC on the 24th is 07:30 on the 25th in Shanghai
    with time_machine.travel(dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC), tick=False):
        # when
        ticket = make_ticket(requester=alice)

    # then
    assert ticket.number == "IT-20261125-0001"


def test_number_just_before_local_midnight_keeps_the_local_day(alice):
    # given: 15:59 UTC is 23:59 in Shanghai, still the 24th
    with time_machine.travel(dt.datetime(2026, 11, 24, 15, 59, tzinfo=UTC), tick=False):
        # when
        ticket = make_ticket(requester=alice)

    # then
    assert ticket.number == "IT-20261124-0001"


def test_numbers_increase_within_a_day(alice, carol):
    # given
    with time_machine.travel(dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC), tick=False):
        # when
        numbers = [make_ticket(requester=person).number for person in (alice, carol, alice)]

    # then
    assert numbers == ["IT-20261125-0001", "IT-20261125-0002", "IT-20261125-0003"]
    assert all(re.fullmatch(r"IT-\d{8}-\d{4}", n) for n in numbers)


def test_sequence_restarts_on_the_next_local_day(alice):
    # given
    with time_machine.travel(dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC), tick=False):
        make_ticket(requester=alice)
        make_ticket(requester=alice)

    # when: 16:00 UTC is midnight in Shanghai
    with time_machine.travel(dt.datetime(2026, 11, 24, 16, 0, tzinfo=UTC), tick=False):
        first_of_next_day = make_ticket(requester=alice)

    # then
    assert first_of_next_day.number == "IT-20261125-0001"


def test_number_is_returned_by_the_api_in_the_same_form(alice, api):
    # given
    body = {
        "title": "VPN drops",
        "description": "Disconnects every 5 minutes",
        "category": "hardware-pc",
        "impact": "single",
        "urgency": "abnormal",
    }
    make_category("hardware-pc")

    # when
    with time_machine.travel(dt.datetime(2026, 11, 24, 23, 30, tzinfo=UTC), tick=False):
        response = api(alice).post("/api/v1/tickets/", body, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["number"] == "IT-20261125-0001"
