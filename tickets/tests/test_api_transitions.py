"""API transitions: 409 in the wrong state, 403 without the role; neither changes anything."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.choices import TicketState
from tickets.errors import InvalidTransition
from tickets.tests.factories import make_ticket_in, snapshot
from tickets.tests.transitions import BODIES, ENTITLED, ILLEGAL

pytestmark = pytest.mark.django_db

S = TicketState


def _url(ticket, action=""):
    return f"/api/v1/tickets/{ticket.number}/{action + '/' if action else ''}"


@pytest.mark.parametrize(("state", "transition"), ILLEGAL)
def test_transition_in_wrong_state_is_409_and_changes_nothing(
    request, alice, bob, tom, api, state, transition
):
    # given
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    actor = request.getfixturevalue(ENTITLED[transition])
    before = snapshot(ticket)

    # when
    response = api(actor).post(_url(ticket, transition), BODIES[transition], format="json")

    # then
    assert response.status_code == 409, response.content
    assert response.json()["detail"]
    assert snapshot(ticket) == before


NO_ROLE = [
    ("accept", S.SUBMITTED, "alice"),
    ("accept", S.SUBMITTED, "dave"),
    ("diagnose", S.ACCEPTED, "alice"),
    ("diagnose", S.ACCEPTED, "erin"),
    ("diagnose", S.ACCEPTED, "dave"),
    ("resolve", S.DIAGNOSED, "alice"),
    ("resolve", S.DIAGNOSED, "erin"),
    ("resolve", S.DIAGNOSED, "dave"),
    ("verify", S.RESOLVED, "erin"),
    ("verify", S.RESOLVED, "dave"),
    ("reject_fix", S.RESOLVED, "bob"),
    ("reject_fix", S.RESOLVED, "erin"),
    ("reject_fix", S.RESOLVED, "dave"),
    ("close", S.VERIFIED, "alice"),
    ("close", S.VERIFIED, "dave"),
    ("cancel", S.SUBMITTED, "dave"),
    ("request_info", S.ACCEPTED, "alice"),
    ("request_info", S.ACCEPTED, "dave"),
]


@pytest.mark.parametrize(("transition", "state", "persona"), NO_ROLE)
def test_transition_by_user_without_the_role_is_403_and_changes_nothing(
    request, alice, bob, erin, dave, api, transition, state, persona
):
    # given
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    actor = request.getfixturevalue(persona)
    before = snapshot(ticket)

    # when
    response = api(actor).post(_url(ticket, transition), BODIES[transition], format="json")

    # then
    assert response.status_code == 403, response.content
    assert snapshot(ticket) == before


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_priority_change_without_work_role_is_403(request, alice, bob, api, persona):
    # given
    ticket = make_ticket_in(S.ACCEPTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(request.getfixturevalue(persona)).post(
        _url(ticket, "priority"), {"priority": "high", "reason": "CEO"}, format="json"
    )

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_engineer_may_not_accept_on_someone_elses_behalf(alice, bob, erin, api):
    # given
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(bob).post(_url(ticket, "accept"), {"assignee": "erin"}, format="json")

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_tech_lead_accepts_for_another_engineer(alice, bob, erin, tom, api):
    # given
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)

    # when
    response = api(tom).post(_url(ticket, "accept"), {"assignee": "erin"}, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["assignee"]["username"] == "erin"


def test_tech_lead_may_not_assign_a_requester(alice, bob, carol, tom, api):
    # given
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(tom).post(_url(ticket, "accept"), {"assignee": "carol"}, format="json")

    # then
    assert response.status_code == 400
    assert "assignee" in response.json()
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("state", "action", "body"),
    [
        (S.CLOSED, "priority", {"priority": "low", "reason": "Not urgent after all"}),
        (S.VERIFIED, "priority", {"priority": "low", "reason": "Not urgent after all"}),
        (S.CLOSED, "messages", {"body": "Hello?"}),
    ],
)
def test_writes_on_finished_ticket_are_409(alice, bob, tom, api, state, action, body):
    # given
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(tom).post(_url(ticket, action), body, format="json")

    # then
    assert response.status_code == 409
    assert snapshot(ticket) == before


def test_patch_on_closed_ticket_is_409(alice, bob, api):
    # given
    ticket = make_ticket_in(S.CLOSED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(alice).patch(_url(ticket), {"title": "Too late"}, format="json")

    # then
    assert response.status_code == 409
    assert snapshot(ticket) == before


def test_asking_again_while_already_waiting_on_requester_is_409(alice, bob, api):
    # given
    ticket = make_ticket_in(S.ACCEPTED, requester=alice, engineer=bob)
    services.request_info(ticket.pk, actor=bob, question="Which floor?")
    before = snapshot(ticket)

    # when
    response = api(bob).post(_url(ticket, "request_info"), BODIES["request_info"], format="json")

    # then
    assert response.status_code == 409
    assert snapshot(ticket) == before


def test_lost_race_in_service_maps_to_clean_409(alice, bob, erin, api, monkeypatch):
    # given: the service lost the row lock race (the other engineer committed first)
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)

    def lost_race(ticket_id, *, actor, assignee=None):
        raise InvalidTransition("This cannot be done while the ticket is Accepted.")

    monkeypatch.setattr(services, "accept_ticket", lost_race)

    # when
    response = api(erin).post(_url(ticket, "accept"), {}, format="json")

    # then
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "This cannot be done while the ticket is Accepted."}


def test_second_accept_after_first_is_409_with_reason(alice, bob, erin, api):
    # given
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)
    assert api(bob).post(_url(ticket, "accept"), {}, format="json").status_code == 200
    before = snapshot(ticket)

    # when
    response = api(erin).post(_url(ticket, "accept"), {}, format="json")

    # then
    assert response.status_code == 409
    assert response.json()["detail"]
    assert snapshot(ticket) == before


@pytest.mark.parametrize("action", ["accept", "diagnose", "resolve", "close", "request_info"])
def test_anonymous_caller_gets_no_access(alice, bob, api, action):
    # given
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(None).post(_url(ticket, action), BODIES[action], format="json")

    # then
    assert response.status_code in (401, 403)
    assert snapshot(ticket) == before


def test_requester_cancels_own_submitted_ticket(alice, bob, api):
    # given
    ticket = make_ticket_in(S.SUBMITTED, requester=alice, engineer=bob)

    # when
    response = api(alice).post(_url(ticket, "cancel"), {"reason": "Fixed it myself"}, format="json")

    # then
    assert response.status_code == 200
    assert response.json()["state"] == S.CLOSED
    assert response.json()["closed_as"] == "cancelled"
    assert response.json()["cancel_reason"] == "Fixed it myself"


def test_requester_cannot_cancel_once_diagnosed(alice, bob, api):
    # given
    ticket = make_ticket_in(S.DIAGNOSED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(alice).post(_url(ticket, "cancel"), {"reason": "Never mind"}, format="json")

    # then
    assert response.status_code == 409
    assert snapshot(ticket) == before


def test_engineer_verifying_for_requester_with_note_is_recorded_on_behalf(alice, bob, api):
    # given
    ticket = make_ticket_in(S.RESOLVED, requester=alice, engineer=bob)

    # when
    response = api(bob).post(
        _url(ticket, "verify"),
        {"verification_note": "Alice confirmed by phone"},
        format="json",
    )

    # then
    assert response.status_code == 200
    event = ticket.events.get(kind="verified")
    assert event.data["on_behalf"] is True
    assert event.actor == bob
