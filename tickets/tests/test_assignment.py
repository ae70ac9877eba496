"""Reassigning a ticket, and who counts as someone who works the queue."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tickets import selectors, services
from tickets.choices import TicketState
from tickets.errors import InvalidTransition
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket_in

pytestmark = pytest.mark.django_db


def test_reassignment_tells_the_new_engineer(alice, bob, erin, tom):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)

    # when
    services.assign_ticket(ticket.pk, actor=tom, assignee=erin, reason="Bob is on leave")

    # then
    assert Notification.objects.filter(
        recipient=erin, kind="ticket_assigned", link=f"/tickets/{ticket.number}/"
    ).exists()


def test_reassigning_to_the_same_engineer_is_refused_and_writes_nothing(alice, bob, tom):
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    events = TicketEvent.objects.filter(ticket=ticket).count()

    with pytest.raises(InvalidTransition):
        services.assign_ticket(ticket.pk, actor=tom, assignee=bob, reason="Again")

    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_engineers_are_the_people_whose_role_works_the_queue(bob, erin, tom, alice, dave):
    names = set(selectors.engineers().values_list("username", flat=True))
    assert {"bob", "erin", "tom"} <= names
    assert not names & {"alice", "dave"}
