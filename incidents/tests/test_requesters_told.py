"""Requesters of linked tickets are told when the incident is declared (or their ticket is
linked later) and when service is restored: once each per change, whatever the number of
their tickets linked and of status updates."""

from __future__ import annotations

from collections import Counter

import pytest

from accounts.roles import Role
from accounts.tests.factories import make_user
from incidents import services
from incidents.choices import IncidentNotice, IncidentStatus
from incidents.tests.factories import in_app
from notifications.models import Notification
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_linking_50_tickets_and_posting_3_updates_tells_each_requester_once_per_change(tom, bob):
    # given: 50 open tickets about the outage from 10 people (5 each), one declared from
    people = [make_user(f"user{i}", Role.REQUESTER) for i in range(10)]
    tickets = [make_ticket(requester=people[i % 10], title=f"ERP down {i}") for i in range(50)]
    incident = services.declare(
        actor=tom, title="ERP is down", impact="Nobody can post orders.", ticket=tickets[0]
    )

    # when: the other 49 are linked in one action, then three status updates, the last
    # one restoring service
    linked = services.link_tickets(incident.pk, actor=bob, numbers=[t.number for t in tickets[1:]])
    services.post_status(
        incident.pk, actor=tom, status=IncidentStatus.INVESTIGATING, note="Looking at the DB."
    )
    services.post_status(
        incident.pk, actor=tom, status=IncidentStatus.IDENTIFIED, note="Disk array failed."
    )
    services.post_status(
        incident.pk, actor=tom, status=IncidentStatus.RESTORED, note="Standby server is live."
    )

    # then: all 50 linked; each requester has exactly one "linked" and one "restored" message
    assert len(linked) == 49
    assert incident.links.count() == 50
    requester_rows = Notification.objects.filter(recipient__in=people, channel="in_app")
    per_person = Counter(requester_rows.values_list("recipient__username", "kind"))
    assert per_person == Counter(
        {
            (p.username, kind): 1
            for p in people
            for kind in (IncidentNotice.TICKET_LINKED, IncidentNotice.RESTORED)
        }
    )
    # each by e-mail too, once
    assert Notification.objects.filter(recipient__in=people, channel="email").count() == 20
    # their messages name the incident and lead to their own ticket (the live page is staff's)
    first = in_app(IncidentNotice.TICKET_LINKED, recipient=people[1])[0]
    assert first.payload["number"] == incident.number
    assert sorted(first.payload["tickets"]) == sorted(
        t.number for t in tickets if t.requester_id == people[1].pk
    )
    assert first.link.startswith("/tickets/IT-")
    # and every linked ticket's timeline says so, once
    entries = TicketEvent.objects.filter(kind="incident_linked")
    assert entries.count() == 50
    assert {e.data["incident"] for e in entries} == {incident.number}


def test_a_requester_linked_again_later_is_not_told_twice(tom, bob, alice):
    # given
    first, second = make_ticket(requester=alice), make_ticket(requester=alice)
    incident = services.declare(actor=tom, title="VPN down", impact="No remote work.")
    services.link_tickets(incident.pk, actor=bob, numbers=[first.number])

    # when: another of her tickets is linked, and the first one again
    again = services.link_tickets(incident.pk, actor=bob, numbers=[second.number, first.number])

    # then: one new link, still one message for alice
    assert again == [second.number]
    assert len(in_app(IncidentNotice.TICKET_LINKED, recipient=alice)) == 1


def test_resolving_without_restoring_first_tells_requesters_service_is_back_once(tom, bob, alice):
    # given
    ticket = make_ticket(requester=alice)
    incident = services.declare(actor=tom, title="Mail down", impact="No mail.", ticket=ticket)

    # when: straight to resolved (restored skipped), then nothing else can be posted
    services.post_status(incident.pk, actor=tom, status=IncidentStatus.RESOLVED, note="Fixed.")

    # then
    incident.refresh_from_db()
    assert incident.restored_at == incident.resolved_at is not None
    assert len(in_app(IncidentNotice.RESTORED, recipient=alice)) == 1
