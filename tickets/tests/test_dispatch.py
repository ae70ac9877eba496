"""A tech lead dispatches (派单) an unaccepted ticket or reassigns (转派) one, with a reason.

Dispatch sets the assignee but does not accept: the ticket stays submitted and its
response clock runs until the engineer accepts. Only active people whose role works the
queue are assignees or SLA-alert recipients; the admin role alone does not make one.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.choices import NotificationChannel
from notifications.models import DigestItem, Notification
from tests.clock import sh
from tickets import forms, selectors, services
from tickets.choices import EventKind, TicketState
from tickets.models import SlaEventKind, Ticket, TicketEvent
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


def _told(user, ticket) -> int:
    return Notification.objects.filter(
        recipient=user,
        kind="ticket_assigned",
        channel=NotificationChannel.IN_APP,
        link=f"/tickets/{ticket.number}/",
    ).count()


def _dispatched_to(ticket: Ticket, bob, reason: str) -> None:
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SUBMITTED  # assigned, not accepted
    assert ticket.assignee_id == bob.pk
    assert ticket.accepted_at is None
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
    assert event.data["reason"] == reason
    assert event.data["to"] == bob.name


def test_lead_dispatches_a_submitted_ticket_from_the_page(web, alice, bob, tom):
    # given
    ticket = make_ticket(requester=alice)
    lead = web(tom)

    # when
    response = lead.post(
        f"/tickets/{ticket.number}/assign/", {"assignee": str(bob.pk), "reason": "Printers"}
    )

    # then: bob is told once, the ticket stays submitted and leaves the unassigned tab
    assert response.status_code == 302
    _dispatched_to(ticket, bob, "Printers")
    assert _told(bob, ticket) == 1
    page = lead.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Printers" in page
    unassigned = lead.get("/tickets/queue/?unassigned=true")
    assert ticket.number not in unassigned.content.decode()
    assert ticket.number in lead.get("/tickets/queue/").content.decode()


@pytest.mark.parametrize("by", ["username", "id"])
def test_lead_dispatches_through_the_api_by_username_or_id(api, alice, bob, tom, by):
    # given
    ticket = make_ticket(requester=alice)
    assignee = bob.username if by == "username" else bob.pk

    # when
    response = api(tom).post(
        f"/api/v1/tickets/{ticket.number}/assign/",
        {"assignee": assignee, "reason": "Bob sits on that floor"},
        format="json",
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["username"] == "bob"
    assert response.json()["state"] == TicketState.SUBMITTED
    _dispatched_to(ticket, bob, "Bob sits on that floor")
    assert _told(bob, ticket) == 1
    unassigned = api(tom).get("/api/v1/tickets/?unassigned=true").json()
    rows = unassigned["results"] if isinstance(unassigned, dict) else unassigned
    assert ticket.number not in {row["number"] for row in rows}


def test_the_dispatched_engineer_accepts_and_stops_the_response_clock(alice, bob, tom):
    # given: dispatched to bob, the response clock still running
    ticket = make_ticket(requester=alice)
    services.assign_ticket(ticket.pk, actor=tom, assignee=bob, reason="Yours")

    # when
    services.accept_ticket(ticket.pk, actor=bob)

    # then
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee_id) == (TicketState.ACCEPTED, bob.pk)
    assert ticket.accepted_at is not None


def test_reassignment_without_a_reason_is_refused_naming_the_reason(
    api, web, alice, bob, erin, tom
):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)

    # when
    by_api = api(tom).post(
        f"/api/v1/tickets/{ticket.number}/assign/", {"assignee": "erin"}, format="json"
    )
    by_page = web(tom).post(f"/tickets/{ticket.number}/assign/", {"assignee": str(erin.pk)})

    # then
    assert by_api.status_code == 400
    assert "reason" in by_api.json()
    assert by_page.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee_id == bob.pk
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).exists()


def test_only_a_tech_lead_assigns(api, alice, carol, bob, erin):
    # given
    ticket = make_ticket(requester=alice)
    body = {"assignee": "erin", "reason": "Erin is free"}
    url = f"/api/v1/tickets/{ticket.number}/assign/"

    # when / then: an engineer and the requester may not; another requester cannot see it
    assert api(bob).post(url, body, format="json").status_code == 403
    assert api(alice).post(url, body, format="json").status_code == 403
    assert api(carol).post(url, body, format="json").status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


@pytest.mark.parametrize("who", ["admin", "requester", "inactive", "nobody"])
def test_assignees_are_active_people_who_work_the_queue(api, alice, tom, admin, who):
    # given
    ticket = make_ticket(requester=alice)
    people = {
        "admin": admin.username,
        "requester": alice.username,
        "inactive": make_user("gone", Role.ENGINEER, is_active=False).pk,
        "nobody": "no-such-person",
    }

    # when
    response = api(tom).post(
        f"/api/v1/tickets/{ticket.number}/assign/",
        {"assignee": people[who], "reason": "Try"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "assignee" in response.json()
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).exists()


def test_admin_is_offered_only_when_their_roles_work_the_queue(admin, bob, erin, tom, dave):
    # given: an admin who is also a tech lead works the queue
    working_admin = make_user("root", Role.ADMIN, Role.TECH_LEAD)

    # when
    choices = set(forms.AssignForm().fields["assignee"].queryset.values_list("username", flat=True))

    # then
    assert choices == {"bob", "erin", "tom", "root"}
    assert "admin" not in set(selectors.tech_leads().values_list("username", flat=True))
    assert working_admin.username in set(selectors.engineers().values_list("username", flat=True))


@pytest.mark.usefixtures("seeded_calendar")
def test_breach_alerts_never_go_to_the_admin_account(alice, bob, erin, tom, dave, admin):
    # given: a medium ticket filed Monday 09:00 in Shanghai, nobody accepts it
    from tickets.choices import Impact, Urgency

    with time_machine.travel(sh(2026, 11, 23, 9, 0), tick=False):
        make_ticket(requester=alice, impact=Impact.SINGLE, urgency=Urgency.INTERRUPTED)

    # when
    sweep_sla(now=sh(2026, 11, 23, 9, 30) + dt.timedelta(minutes=1))

    # then: the queue hears of it (the tech lead in a digest, issue 17); the admin and the
    # manager do not
    told = set(
        Notification.objects.filter(
            kind=SlaEventKind.RESPONSE_BREACH, channel=NotificationChannel.IN_APP
        ).values_list("recipient__username", flat=True)
    )
    assert told == {"bob", "erin"}
    folded = set(
        DigestItem.objects.filter(digest__kind=SlaEventKind.RESPONSE_BREACH).values_list(
            "digest__recipient__username", flat=True
        )
    )
    assert folded == {"tom"}
