"""The API list: scoped to the caller, filtered by the same FilterSet as the queue page."""

from __future__ import annotations

import pytest

from tickets.choices import Impact, TicketState, Urgency
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def _numbers(response):
    assert response.status_code == 200, response.content
    return {t["number"] for t in response.json()["results"]}


@pytest.fixture
def spread(alice, carol, bob):
    """A handful of tickets in different states, priorities and categories."""
    hardware = make_category("hardware")
    printer = make_category("hardware-printer", parent=hardware)
    wifi = make_category("network-wifi")
    return {
        "printer_new": make_ticket(
            requester=alice,
            category=printer,
            impact=Impact.NETWORK,
            urgency=Urgency.INTERRUPTED,
            title="Every printer offline",
        ),
        "hardware_accepted": make_ticket_in(
            TicketState.ACCEPTED, requester=alice, engineer=bob, category=hardware
        ),
        "wifi_closed": make_ticket_in(
            TicketState.CLOSED,
            requester=carol,
            engineer=bob,
            category=wifi,
            urgency=Urgency.EXPERIENCE,
        ),
    }


def test_requester_lists_only_own_tickets(alice, api, spread):
    # when
    numbers = _numbers(api(alice).get(TICKETS))

    # then
    assert numbers == {spread["printer_new"].number, spread["hardware_accepted"].number}


def test_engineer_lists_every_ticket(bob, api, spread):
    # when
    numbers = _numbers(api(bob).get(TICKETS))

    # then
    assert numbers == {t.number for t in spread.values()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=submitted", {"printer_new"}),
        ("state=submitted&state=closed", {"printer_new", "wifi_closed"}),
        ("open=true", {"printer_new", "hardware_accepted"}),
        ("open=false", {"wifi_closed"}),
        ("priority=high", {"printer_new"}),
        ("priority=low", {"wifi_closed"}),
        ("category=hardware", {"printer_new", "hardware_accepted"}),
        ("category=hardware-printer", {"printer_new"}),
        ("unassigned=true", {"printer_new"}),
        ("assignee=bob", {"hardware_accepted", "wifi_closed"}),
        ("mine=true", {"hardware_accepted", "wifi_closed"}),
        # q searches words in any field (tickets/tests/test_search.py): both words are in
        # every ticket here ("Printer prints blank pages … every page"), "offline" in one.
        ("q=every printer", {"printer_new", "hardware_accepted", "wifi_closed"}),
        ("q=offline", {"printer_new"}),
        ("q=offline&state=closed", set()),
    ],
)
def test_list_filters(bob, api, spread, query, expected):
    # when
    numbers = _numbers(api(bob).get(f"{TICKETS}?{query}"))

    # then
    assert numbers == {spread[key].number for key in expected}


def test_search_by_exact_number(bob, api, spread):
    # given
    number = spread["wifi_closed"].number

    # when
    numbers = _numbers(api(bob).get(f"{TICKETS}?q={number.lower()}"))

    # then
    assert numbers == {number}


def test_sort_by_priority_puts_high_first(bob, api, spread):
    # when
    response = api(bob).get(f"{TICKETS}?sort=priority")

    # then
    priorities = [t["priority"] for t in response.json()["results"]]
    assert priorities[0] == "high"
    assert priorities[-1] == "low"


@pytest.mark.parametrize(
    "query",
    [
        "state=bogus",
        "priority=urgent",
        "category=no-such-category",
        # An unknown assignee filters to nothing (no oracle): tests/security/test_user_directory.py
        "sort=sideways",
        "waiting_on=godot",
    ],
)
def test_bad_filter_value_is_400_naming_it(bob, api, spread, query):
    # when
    response = api(bob).get(f"{TICKETS}?{query}")

    # then
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_page_past_the_end_is_404(bob, api, spread):
    # when
    response = api(bob).get(f"{TICKETS}?page=99")

    # then
    assert response.status_code == 404


def test_queue_page_ignores_bad_filter_values(bob, web, spread):
    # when
    response = web(bob).get("/tickets/queue/?state=bogus&sort=sideways")

    # then
    assert response.status_code == 200
