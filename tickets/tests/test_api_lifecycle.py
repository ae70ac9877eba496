"""The whole life of a ticket through the REST API, with the right person at every step."""

from __future__ import annotations

import pytest

from tickets.choices import EventKind, TicketState
from tickets.models import Ticket
from tickets.tests.factories import DIAGNOSIS, is_clock_event, make_category, snapshot

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def _refused(client, url, body, ticket, expected_status):
    """POST ``body`` to ``url``; assert the status and that the ticket did not change."""
    before = snapshot(ticket)
    response = client.post(url, body, format="json")
    assert response.status_code == expected_status, (url, response.status_code, response.content)
    assert snapshot(ticket) == before
    return response


def test_ticket_lives_from_submit_to_close_with_the_right_person_at_each_step(
    alice, carol, bob, erin, tom, api
):
    # given
    make_category("hardware-printer")
    as_alice, as_carol, as_bob, as_erin, as_tom = (
        api(alice),
        api(carol),
        api(bob),
        api(erin),
        api(tom),
    )

    # when: alice submits
    response = as_alice.post(
        TICKETS,
        {
            "title": "Printer prints blank pages",
            "description": "Every page comes out blank since 9:00",
            "category": "hardware-printer",
            "impact": "multiple",
            "urgency": "interrupted",
            "affected_system": "HP LaserJet M404dn, firmware 002.2135",
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    created = response.json()
    number = created["number"]
    assert created["state"] == TicketState.SUBMITTED
    assert created["priority"] == "high"
    assert created["requester"]["username"] == "alice"
    assert created["channel"] == "api"
    ticket = Ticket.objects.get(number=number)
    url = f"{TICKETS}{number}/"

    # accept: not the requester, not a stranger; any engineer may
    _refused(as_alice, f"{url}accept/", {}, ticket, 403)
    _refused(as_carol, f"{url}accept/", {}, ticket, 404)
    response = as_bob.post(f"{url}accept/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TicketState.ACCEPTED
    assert response.json()["assignee"]["username"] == "bob"
    assert response.json()["accepted_at"] is not None

    # diagnose: only the assignee or the tech lead
    _refused(as_alice, f"{url}diagnose/", DIAGNOSIS, ticket, 403)
    _refused(as_erin, f"{url}diagnose/", DIAGNOSIS, ticket, 403)
    response = as_bob.post(f"{url}diagnose/", DIAGNOSIS, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TicketState.DIAGNOSED
    assert response.json()["root_cause_type"] == DIAGNOSIS["root_cause_type"]
    assert response.json()["impact_scope"] == DIAGNOSIS["impact_scope"]
    assert response.json()["solution_plan"] == DIAGNOSIS["solution_plan"]

    # resolve: only the assignee or the tech lead
    solution = {"solution": "Cleaned the toner contacts"}
    _refused(as_alice, f"{url}resolve/", solution, ticket, 403)
    _refused(as_erin, f"{url}resolve/", solution, ticket, 403)
    response = as_bob.post(f"{url}resolve/", solution, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TicketState.RESOLVED
    assert response.json()["solution"] == solution["solution"]

    # reject_fix: the requester's word, never an engineer's
    reason = {"reason": "Still blank pages after lunch"}
    _refused(as_bob, f"{url}reject_fix/", reason, ticket, 403)
    _refused(as_erin, f"{url}reject_fix/", reason, ticket, 403)
    _refused(as_carol, f"{url}reject_fix/", reason, ticket, 404)
    response = as_alice.post(f"{url}reject_fix/", reason, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TicketState.DIAGNOSED
    assert response.json()["reopen_count"] == 1
    assert response.json()["resolved_at"] is None

    # resolve again: the tech lead may act on bob's ticket; erin still may not
    second = {"solution": "Replaced the toner cartridge"}
    _refused(as_erin, f"{url}resolve/", second, ticket, 403)
    response = as_tom.post(f"{url}resolve/", second, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TicketState.RESOLVED
    assert response.json()["assignee"]["username"] == "bob"

    # verify: the requester (an engineer who does not handle it may not)
    _refused(as_erin, f"{url}verify/", {"verification_note": "ok"}, ticket, 403)
    response = as_alice.post(f"{url}verify/", {"verification_note": "Prints fine"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TicketState.VERIFIED
    assert response.json()["verification_note"] == "Prints fine"

    # close: engineers, not the requester
    _refused(as_alice, f"{url}close/", {}, ticket, 403)
    response = as_bob.post(f"{url}close/", {}, format="json")
    assert response.status_code == 200, response.json()
    closed = response.json()
    assert closed["state"] == TicketState.CLOSED
    assert closed["closed_as"] == "completed"
    for stamp in (
        "submitted_at",
        "accepted_at",
        "diagnosed_at",
        "resolved_at",
        "verified_at",
        "closed_at",
    ):
        assert closed[stamp] is not None, stamp

    # then: the timeline tells the same story, in order, with who did what
    timeline = as_alice.get(f"{url}events/").json()
    events = [e for e in timeline if not is_clock_event(e["kind"])]
    assert [
        (e["kind"], e["from_state"], e["to_state"], e["actor"]["username"]) for e in events
    ] == [
        (EventKind.SUBMITTED, "", "submitted", "alice"),
        (EventKind.ACCEPTED, "submitted", "accepted", "bob"),
        (EventKind.DIAGNOSED, "accepted", "diagnosed", "bob"),
        (EventKind.RESOLVED, "diagnosed", "resolved", "bob"),
        (EventKind.FIX_REJECTED, "resolved", "diagnosed", "alice"),
        (EventKind.RESOLVED, "diagnosed", "resolved", "tom"),
        (EventKind.VERIFIED, "resolved", "verified", "alice"),
        (EventKind.CLOSED, "verified", "closed", "bob"),
    ]
    assert events[4]["data"]["reason"] == reason["reason"]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert as_bob.get(f"{url}events/").json() == timeline
    assert as_carol.get(f"{url}events/").status_code == 404


def test_ticket_page_of_api_matches_the_list(alice, api):
    # given
    make_category("hardware-printer")
    as_alice = api(alice)
    body = {
        "title": "Scanner offline",
        "description": "The scanner does not show up",
        "category": "hardware-printer",
        "impact": "single",
        "urgency": "experience",
    }
    number = as_alice.post(TICKETS, body, format="json").json()["number"]

    # when
    listed = as_alice.get(TICKETS).json()
    one = as_alice.get(f"{TICKETS}{number}/").json()

    # then: the list's row is the ticket's page, but for why it was assigned automatically
    # (one ticket only: a query per row the list does not pay)
    assert listed["count"] == 1
    assert listed["results"][0] == {k: v for k, v in one.items() if k != "auto_assignment"}
    assert one["auto_assignment"] is None  # automatic assignment is off
    assert one["priority"] == "low"
