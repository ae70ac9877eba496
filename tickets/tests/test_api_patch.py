"""PATCH edits descriptive fields only; state, people, priority and timestamps stay put."""

from __future__ import annotations

import pytest

from tickets.choices import EventKind, TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket, make_ticket_in, snapshot

pytestmark = pytest.mark.django_db

FORGED = {
    "state": "closed",
    "requester": "carol",
    "priority": "low",
    "priority_reason": "forged",
    "assignee": "erin",
    "reported_by": "erin",
    "channel": "phone",
    "number": "IT-19700101-0001",
    "closed_as": "completed",
    "reopen_count": 7,
    "waiting_on": "vendor",
    "submitted_at": "2020-01-01T00:00:00Z",
    "accepted_at": "2020-01-01T00:00:00Z",
    "diagnosed_at": "2020-01-01T00:00:00Z",
    "resolved_at": "2020-01-01T00:00:00Z",
    "verified_at": "2020-01-01T00:00:00Z",
    "closed_at": "2020-01-01T00:00:00Z",
    "last_activity_at": "2020-01-01T00:00:00Z",
}
PROTECTED = [
    "state",
    "requester_id",
    "priority",
    "priority_reason",
    "assignee_id",
    "reported_by_id",
    "channel",
    "number",
    "closed_as",
    "reopen_count",
    "waiting_on",
    "submitted_at",
    "accepted_at",
    "diagnosed_at",
    "resolved_at",
    "verified_at",
    "closed_at",
]


def _protected(ticket):
    fresh = Ticket.objects.get(pk=ticket.pk)
    return {name: getattr(fresh, name) for name in PROTECTED}


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_patch_ignores_protected_fields_but_applies_title(
    request, alice, bob, carol, erin, api, persona
):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    before = _protected(ticket)
    events_before = ticket.events.count()

    # when
    response = api(request.getfixturevalue(persona)).patch(
        f"/api/v1/tickets/{ticket.number}/",
        {**FORGED, "title": "Printer still blank"},
        format="json",
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Printer still blank"
    assert response.json()["state"] == TicketState.ACCEPTED
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.title == "Printer still blank"
    assert _protected(ticket) == before
    new_events = list(fresh.events.order_by("pk")[events_before:])
    assert [(e.kind, e.data) for e in new_events] == [
        (EventKind.DETAILS_EDITED, {"fields": ["title"]})
    ]


def test_patch_of_protected_fields_alone_changes_nothing(alice, api):
    # given
    ticket = make_ticket(requester=alice)
    before = snapshot(ticket)
    protected_before = _protected(ticket)

    # when
    response = api(alice).patch(f"/api/v1/tickets/{ticket.number}/", FORGED, format="json")

    # then
    assert response.status_code == 200
    assert snapshot(ticket) == before
    assert _protected(ticket) == protected_before


def test_patch_with_descriptive_fields_applies_them(alice, api):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = api(alice).patch(
        f"/api/v1/tickets/{ticket.number}/",
        {
            "description": "Blank pages on tray 2 only",
            "affected_system": "HP M404dn fw 002.2135",
            "scenario": "printing a PDF",
            "contact": "ext. 8021",
        },
        format="json",
    )

    # then
    assert response.status_code == 200
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.description == "Blank pages on tray 2 only"
    assert fresh.affected_system == "HP M404dn fw 002.2135"
    assert fresh.scenario == "printing a PDF"
    assert fresh.contact == "ext. 8021"


def test_priority_change_without_reason_is_400_naming_reason(alice, bob, api):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/priority/", {"priority": "high"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "reason" in response.json()
    assert snapshot(ticket) == before


def test_priority_change_with_blank_reason_is_400_naming_reason(alice, bob, api):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/priority/",
        {"priority": "high", "reason": "   "},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "reason" in response.json()
    assert snapshot(ticket) == before


def test_priority_change_with_reason_is_recorded(alice, bob, api):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    assert ticket.priority == "medium"

    # when
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/priority/",
        {"priority": "high", "reason": "Blocks month-end closing"},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["priority"] == "high"
    assert response.json()["priority_reason"] == "Blocks month-end closing"
    event = Ticket.objects.get(pk=ticket.pk).events.filter(kind=EventKind.PRIORITY_CHANGED).get()
    assert event.data == {"from": "medium", "to": "high", "reason": "Blocks month-end closing"}


def test_priority_change_to_unknown_value_is_400_naming_priority(alice, bob, api):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/priority/",
        {"priority": "critical", "reason": "Because"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "priority" in response.json()
    assert snapshot(ticket) == before
