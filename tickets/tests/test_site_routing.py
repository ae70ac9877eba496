"""Branch offices served by their local IT (R7.2): a site's local IT contacts hear of every
ticket filed there, the dispatch form offers them first, and with
``TICKETS_ROUTE_TO_LOCAL_CONTACT`` on the ticket is assigned to one of them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from fieldwork.models import SiteVisit
from notifications.models import Notification
from tickets import forms
from tickets.choices import EventKind, TicketNotice, TicketState
from tickets.tests.factories import make_ticket, move_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(alice):
    """Beijing, where alice works, served on the spot by kai and lin (engineers)."""
    site = Site.objects.create(code="bj", name="Beijing branch")
    alice.site = site
    alice.save(update_fields=["site"])
    kai = make_user("kai", Role.ENGINEER, site=site)
    lin = make_user("lin", Role.ENGINEER)
    site.local_contacts.set([kai, lin])
    return site


def _told(kind: str, number: str) -> dict[str, set[str]]:
    """``{username: {channels}}`` of the notifications of ``kind`` about ticket ``number``."""
    found: dict[str, set[str]] = {}
    for username, channel in Notification.objects.filter(
        kind=kind, payload__number=number
    ).values_list("recipient__username", "channel"):
        found.setdefault(username, set()).add(channel)
    return found


def test_local_contacts_are_told_of_a_ticket_filed_at_their_site(branch, alice, bob):
    # when
    ticket = make_ticket(requester=alice, title="Scanner jams")

    # then: both local contacts, in the app and by e-mail; nobody else
    told = _told(TicketNotice.SITE_TICKET, ticket.number)
    assert told == {"kai": {"in_app", "email"}, "lin": {"in_app", "email"}}
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.state == TicketState.SUBMITTED


def test_a_ticket_at_another_site_tells_no_local_contact(branch, carol):
    ticket = make_ticket(requester=carol)
    assert _told(TicketNotice.SITE_TICKET, ticket.number) == {}


def test_local_contacts_who_may_not_see_the_ticket_are_not_told(branch, alice):
    # given: a requester named as a contact, and an engineer limited to another site
    clerk = make_user("clerk", Role.REQUESTER)
    elsewhere = Site.objects.create(code="sh", name="Shanghai HQ")
    lin = branch.local_contacts.get(username="lin")
    lin.limited_to_sites.set([elsewhere])
    branch.local_contacts.add(clerk)

    # when
    ticket = make_ticket(requester=alice)

    # then
    assert set(_told(TicketNotice.SITE_TICKET, ticket.number)) == {"kai"}


def test_a_high_priority_ticket_tells_a_local_contact_once(branch, alice):
    # when: a 7x24 emergency, which every engineer hears of
    ticket = make_ticket(requester=alice, impact="network", urgency="interrupted")

    # then: kai has one message in the app about it, not two
    in_app = Notification.objects.filter(
        recipient__username="kai", channel="in_app", payload__number=ticket.number
    )
    assert in_app.count() == 1


def test_dispatch_form_lists_local_contacts_first_and_says_so(web, branch, alice, tom, bob):
    # given: a ticket of the branch; the tech lead reads English
    ticket = make_ticket(requester=alice)
    tom.language = "en"
    tom.save(update_fields=["language"])

    # when: the tech lead opens the ticket
    html = web(tom).get(f"/tickets/{ticket.number}/").content.decode()

    # then: the two local contacts, marked, before the other engineers
    select = re.search(r'<select name="assignee".*?</select>', html, re.S)
    assert select
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select.group(0))
    assert [label for _pk, label in options[:2]] == [
        "Kai (local IT contact)",
        "Lin (local IT contact)",
    ]
    assert [label for pk, label in options[2:] if int(pk) == bob.pk] == ["Bob"]


def test_dispatch_choices_without_local_contacts_are_the_engineers_by_name(alice, bob, erin):
    ticket = make_ticket(requester=alice)
    people = list(forms.AssignForm(ticket=ticket).fields["assignee"].queryset)
    assert [p.username for p in people] == ["bob", "erin"]


@override_settings(TICKETS_ROUTE_TO_LOCAL_CONTACT=True)
def test_routing_on_assigns_the_least_busy_local_contact(branch, alice, carol, bob):
    # given: kai already handles an open ticket of the branch
    first = make_ticket(requester=alice)
    kai = branch.local_contacts.get(username="kai")
    lin = branch.local_contacts.get(username="lin")
    assert first.assignee_id in (None, kai.pk, lin.pk)

    # when
    second = make_ticket(requester=alice, title="Second fault")

    # then: the two tickets went to the two contacts, one each, assigned not accepted
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.assignee_id, second.assignee_id} == {kai.pk, lin.pk}
    assert second.state == TicketState.SUBMITTED
    event = second.events.get(kind=EventKind.ASSIGNED)
    assert event.actor is None and event.data["to"] == second.assignee.name
    assert event.data["reason"]
    routed_to = second.assignee.username
    other = ({"kai", "lin"} - {routed_to}).pop()
    assert set(_told(TicketNotice.ASSIGNED, second.number)) == {routed_to}
    assert set(_told(TicketNotice.SITE_TICKET, second.number)) == {other}


@override_settings(TICKETS_ROUTE_TO_LOCAL_CONTACT=True)
def test_routing_on_leaves_tickets_of_sites_without_contacts_unassigned(branch, carol):
    ticket = make_ticket(requester=carol)
    ticket.refresh_from_db()
    assert ticket.assignee is None


@override_settings(TICKETS_ROUTE_TO_LOCAL_CONTACT=True)
def test_a_routed_ticket_is_accepted_by_its_contact(branch, alice):
    # given
    ticket = make_ticket(requester=alice)
    ticket.refresh_from_db()

    # when
    accepted = move_to(ticket, TicketState.ACCEPTED, engineer=ticket.assignee)

    # then
    assert accepted.state == TicketState.ACCEPTED and accepted.assignee == ticket.assignee


def test_routing_is_off_by_default(branch, alice):
    ticket = make_ticket(requester=alice)
    ticket.refresh_from_db()
    assert ticket.assignee is None


# --- on-site visits at a branch -------------------------------------------------------------


def _schedule(api, engineer, ticket):
    at = (timezone.now() + dt.timedelta(days=1)).isoformat()
    body = {"scheduled_at": at, "bring": "Bring a spare fuser unit; the old one is worn"}
    return api(engineer).post(f"/api/v1/tickets/{ticket.number}/visits/", body, format="json")


def test_a_visit_at_a_branch_goes_to_its_local_contact_with_the_central_note(
    api, branch, alice, bob
):
    # given: bob, a central engineer, works alice's branch ticket
    ticket = make_ticket(requester=alice)
    move_to(ticket, TicketState.ACCEPTED, engineer=bob)

    # when: he schedules a visit with a note of what to bring
    response = _schedule(api, bob, ticket)

    # then: kai (the first local contact) goes; bob's note and name are kept; kai is told
    assert response.status_code == 201, response.json()
    visit = SiteVisit.objects.get(pk=response.json()["id"])
    assert visit.engineer.username == "kai" and visit.created_by == bob
    assert visit.bring == "Bring a spare fuser unit; the old one is worn"
    event = ticket.events.get(kind="visit_scheduled")
    assert event.data["engineer"] == visit.engineer.name and event.data["arranged_by"] == bob.name
    assert set(_told("visit_sent", ticket.number)) == {"kai"}
    assert set(_told("visit_scheduled", ticket.number)) == {"alice"}


def test_a_local_contact_scheduling_goes_themselves(api, branch, alice):
    # given: lin, a local contact, handles the ticket
    lin = branch.local_contacts.get(username="lin")
    ticket = make_ticket(requester=alice)
    move_to(ticket, TicketState.ACCEPTED, engineer=lin)

    # when
    response = _schedule(api, lin, ticket)

    # then
    visit = SiteVisit.objects.get(pk=response.json()["id"])
    assert visit.engineer == lin
    assert "arranged_by" not in ticket.events.get(kind="visit_scheduled").data
    assert _told("visit_sent", ticket.number) == {}


def test_a_visit_at_a_site_without_local_contacts_stays_with_its_engineer(api, carol, bob):
    ticket = make_ticket(requester=carol)
    move_to(ticket, TicketState.ACCEPTED, engineer=bob)
    response = _schedule(api, bob, ticket)
    assert SiteVisit.objects.get(pk=response.json()["id"]).engineer == bob
