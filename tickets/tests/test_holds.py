"""Holds: an engineer asks the requester for details; the requester's answer ends the wait."""

from __future__ import annotations

import pytest

from tickets.choices import EventKind, TicketState
from tickets.tests.factories import is_clock_event, make_ticket_in, story

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting_ticket(alice, bob, api):
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/request_info/",
        {"question": "What does the blue screen say?"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return ticket


def test_request_info_makes_ticket_wait_on_requester(alice, api, waiting_ticket):
    # when
    seen_by_requester = api(alice).get(f"/api/v1/tickets/{waiting_ticket.number}/").json()

    # then
    assert seen_by_requester["waiting_on"] == "requester"
    assert seen_by_requester["state"] == TicketState.ACCEPTED
    messages = api(alice).get(f"/api/v1/tickets/{waiting_ticket.number}/messages/").json()
    assert [m["body"] for m in messages] == ["What does the blue screen say?"]
    events = api(alice).get(f"/api/v1/tickets/{waiting_ticket.number}/events/").json()
    assert story([e["kind"] for e in events])[-1] == EventKind.INFO_REQUESTED


def test_waiting_tickets_are_filterable_in_the_list(bob, api, waiting_ticket):
    # when
    response = api(bob).get("/api/v1/tickets/?waiting_on=requester")

    # then
    assert [t["number"] for t in response.json()["results"]] == [waiting_ticket.number]


def test_requester_reply_ends_the_hold_and_records_info_provided(alice, api, waiting_ticket):
    # when
    response = api(alice).post(
        f"/api/v1/tickets/{waiting_ticket.number}/messages/",
        {"body": "It says IRQL_NOT_LESS_OR_EQUAL"},
        format="json",
    )

    # then
    assert response.status_code == 201
    ticket = api(alice).get(f"/api/v1/tickets/{waiting_ticket.number}/").json()
    assert ticket["waiting_on"] == "none"
    events = api(alice).get(f"/api/v1/tickets/{waiting_ticket.number}/events/").json()
    people = [e for e in events if not is_clock_event(e["kind"])]
    assert people[-1]["kind"] == EventKind.INFO_PROVIDED
    assert people[-1]["actor"]["username"] == "alice"
    assert [e["kind"] for e in events].count(EventKind.INFO_PROVIDED) == 1


def test_engineer_message_does_not_end_the_hold(bob, api, waiting_ticket):
    # when
    for internal in (False, True):
        api(bob).post(
            f"/api/v1/tickets/{waiting_ticket.number}/messages/",
            {"body": "Any news?", "internal": internal},
            format="json",
        )

    # then
    ticket = api(bob).get(f"/api/v1/tickets/{waiting_ticket.number}/").json()
    assert ticket["waiting_on"] == "requester"


def test_second_reply_after_hold_is_a_plain_reply(alice, api, waiting_ticket):
    # given
    url = f"/api/v1/tickets/{waiting_ticket.number}/messages/"
    api(alice).post(url, {"body": "Code 0x0A"}, format="json")

    # when
    api(alice).post(url, {"body": "And it happens at boot"}, format="json")

    # then
    events = api(alice).get(f"/api/v1/tickets/{waiting_ticket.number}/events/").json()
    assert story([e["kind"] for e in events])[-2:] == [EventKind.INFO_PROVIDED, EventKind.REPLIED]


def test_resolve_ends_a_hold(bob, api, alice):
    # given
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    api(bob).post(
        f"/api/v1/tickets/{ticket.number}/request_info/",
        {"question": "Still there?"},
        format="json",
    )

    # when
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/resolve/", {"solution": "Reinstalled"}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["waiting_on"] == "none"


def test_requester_page_shows_the_question_to_answer(alice, web, waiting_ticket):
    # when
    page = web(alice).get(f"/tickets/{waiting_ticket.number}/")

    # then
    assert page.status_code == 200
    assert "What does the blue screen say?" in page.content.decode()
