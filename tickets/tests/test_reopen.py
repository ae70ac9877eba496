"""Reopening a finished ticket, and after the window, "report a related problem".

Within ``TICKETS_REOPEN_DAYS`` calendar days of closing, the requester (or a tech lead)
sends a completed ticket back to diagnosed with a reason: history and assignee kept, the
reopen count up, the assignee told, the resolution clock resumed with what was left of it
when the fix went in. Afterwards the page offers a new ticket, prefilled and linked to
the old one as its follow-up.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from assets.models import Asset, AssetKind
from notifications.choices import NotificationChannel
from notifications.models import Notification
from tests.clock import sh
from tickets import actions, services
from tickets.actions import Action
from tickets.choices import (
    ClosedAs,
    EventKind,
    Impact,
    LinkKind,
    TicketNotice,
    TicketState,
    Urgency,
)
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound, ValidationError
from tickets.models import Ticket, TicketEvent, TicketLink
from tickets.tests.factories import DIAGNOSIS, make_category, make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are read in English here (the desk's default language is Chinese)."""
    with translation.override("en"):
        yield


CLOSED_AT = sh(2026, 11, 23, 12, 0)  # a Monday
MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}  # 8 working hours


def at(moment: dt.datetime, action, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


@pytest.fixture
def closed(alice, bob, seeded_calendar) -> Ticket:
    """alice's ticket, filed Monday 09:00 (due 17:00), fixed by bob at 11:00 (6 working
    hours left), verified 11:30, closed at noon."""
    ticket = at(sh(2026, 11, 23, 9, 0), make_ticket, requester=alice, **MEDIUM)
    at(sh(2026, 11, 23, 9, 5), services.accept_ticket, ticket.pk, actor=bob)
    at(sh(2026, 11, 23, 9, 30), services.diagnose_ticket, ticket.pk, actor=bob, **DIAGNOSIS)
    at(sh(2026, 11, 23, 11, 0), services.resolve_ticket, ticket.pk, actor=bob, solution="Fuser")
    at(sh(2026, 11, 23, 11, 30), services.verify_ticket, ticket.pk, actor=alice)
    at(CLOSED_AT, services.close_ticket, ticket.pk, actor=bob)
    return Ticket.objects.get(pk=ticket.pk)


def _told(user, ticket) -> int:
    return Notification.objects.filter(
        recipient=user,
        kind=TicketNotice.REOPENED,
        channel=NotificationChannel.IN_APP,
        link=f"/tickets/{ticket.number}/",
    ).count()


def test_requester_reopens_within_the_window(closed, alice, bob):
    # when: two days later
    at(
        sh(2026, 11, 25, 10, 0),
        services.reopen_ticket,
        closed.pk,
        actor=alice,
        reason="Blank again",
    )

    # then: back to diagnosed with its history and assignee; bob is told once
    ticket = Ticket.objects.get(pk=closed.pk)
    assert ticket.state == TicketState.DIAGNOSED
    assert ticket.assignee_id == bob.pk
    assert ticket.reopen_count == 1
    assert ticket.closed_as == ClosedAs.NONE and ticket.closed_at is None
    assert ticket.solution == "Fuser"  # the fix that did not last stays readable
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.REOPENED)
    assert (event.from_state, event.to_state) == (TicketState.CLOSED, TicketState.DIAGNOSED)
    assert event.data == {"reason": "Blank again", "reopen_count": 1}
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds.index(EventKind.CLOSED) < kinds.index(EventKind.REOPENED)
    assert _told(bob, ticket) == 1


def test_the_resolution_clock_resumes_with_what_was_left_when_the_fix_went_in(closed, alice):
    # given: 6 working hours were left at Monday 11:00, when the fix was proposed
    assert closed.resolution_due_at == sh(2026, 11, 23, 17, 0)

    # when: reopened Wednesday 10:00
    at(sh(2026, 11, 25, 10, 0), services.reopen_ticket, closed.pk, actor=alice, reason="Again")

    # then: Monday 11:00 → Wednesday 10:00 was on hold (17 working hours of 09:00–18:00
    # days), so 6 hours are left again: due Wednesday 16:00; the days it sat closed are no
    # breach
    ticket = Ticket.objects.get(pk=closed.pk)
    assert ticket.resolution_due_at == sh(2026, 11, 25, 16, 0)
    assert ticket.resolution_breached_at is None
    assert ticket.sla_paused_at is None
    assert ticket.sla_next_check_at is not None  # the sweep watches it again
    resumed = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_RESUMED).get()
    assert resumed.data["reason"] == "reopened"
    assert resumed.data["held_seconds"] == 17 * 3600


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (dt.timedelta(days=7) - dt.timedelta(minutes=1), True),
        (dt.timedelta(days=7), True),
        (dt.timedelta(days=7, minutes=1), False),
        (dt.timedelta(days=30), False),
    ],
)
def test_the_window_is_seven_calendar_days_from_closing(closed, alice, after, allowed):
    # when
    with time_machine.travel(CLOSED_AT + after, tick=False):
        offered = actions.may(closed, alice, Action.REOPEN)
        try:
            services.reopen_ticket(closed.pk, actor=alice, reason="Again")
            outcome = "reopened"
        except InvalidTransition as refused:
            outcome = str(refused)

    # then: the page's button and the service agree, and a refusal says what to do instead
    assert offered is allowed
    if allowed:
        assert outcome == "reopened"
    else:
        assert "7 days" in outcome and "related problem" in outcome


def test_the_window_follows_the_setting(closed, alice, settings):
    # given
    settings.TICKETS_REOPEN_DAYS = 2

    # then
    with (
        time_machine.travel(CLOSED_AT + dt.timedelta(days=3), tick=False),
        pytest.raises(InvalidTransition),
    ):
        services.reopen_ticket(closed.pk, actor=alice, reason="Again")
    settings.TICKETS_REOPEN_DAYS = 4
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=3), tick=False):
        services.reopen_ticket(closed.pk, actor=alice, reason="Again")


def test_a_verified_ticket_not_yet_closed_reopens_too(alice, bob):
    # given
    ticket = make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)

    # when
    services.reopen_ticket(ticket.pk, actor=alice, reason="It broke again")

    # then
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DIAGNOSED and ticket.verified_at is None


@pytest.mark.parametrize("how", ["open", "cancelled", "duplicate"])
def test_only_a_completed_ticket_reopens(alice, carol, bob, how):
    # given
    if how == "open":
        ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    elif how == "cancelled":
        ticket = make_ticket(requester=alice)
        services.cancel_ticket(ticket.pk, actor=alice, reason="Solved itself")
    else:
        ticket = make_ticket(requester=alice)
        services.merge_ticket(ticket.pk, actor=bob, into=make_ticket(requester=carol).number)
    ticket.refresh_from_db()

    # when / then
    assert not actions.may(ticket, alice, Action.REOPEN)
    with pytest.raises(InvalidTransition) as refused:
        services.reopen_ticket(ticket.pk, actor=alice, reason="Again")
    expected = {"open": "finished", "cancelled": "cancelled", "duplicate": "merged"}[how]
    assert expected in str(refused.value)


def test_who_may_reopen(closed, alice, carol, bob, erin, tom, dave):
    # then: the requester and a tech lead; not engineers (they file or link a follow-up),
    # not the manager; carol does not see the ticket
    for person in (bob, erin, dave):
        with pytest.raises(ActionForbidden):
            services.reopen_ticket(closed.pk, actor=person, reason="Again")
    with pytest.raises(TicketNotFound):
        services.reopen_ticket(closed.pk, actor=carol, reason="Again")
    services.reopen_ticket(closed.pk, actor=tom, reason="Alice called: blank pages again")
    assert Ticket.objects.get(pk=closed.pk).state == TicketState.DIAGNOSED


def test_a_reason_is_required(closed, alice, web, api):
    # when
    with pytest.raises(ValidationError) as refused:
        services.reopen_ticket(closed.pk, actor=alice, reason="   ")
    page = web(alice).post(f"/tickets/{closed.number}/reopen/", {"reason": ""})
    answer = api(alice).post(f"/api/v1/tickets/{closed.number}/reopen/", {}, format="json")

    # then: the field is named everywhere, and nothing changed
    assert set(refused.value.message_dict) == {"reason"}
    assert page.status_code == 400 and 'id="reopen_reason"' in page.content.decode()
    assert answer.status_code == 400 and "reason" in answer.json()
    assert Ticket.objects.get(pk=closed.pk).state == TicketState.CLOSED


def test_the_page_offers_reopen_then_reopens(closed, alice, bob, web):
    # given
    client = web(alice)
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=1), tick=False):
        page = client.get(f"/tickets/{closed.number}/").content.decode()

        # when
        response = client.post(f"/tickets/{closed.number}/reopen/", {"reason": "Blank again"})

    # then
    assert 'id="reopen"' in page and 'id="report-related"' not in page
    assert response.status_code == 302
    assert Ticket.objects.get(pk=closed.pk).state == TicketState.DIAGNOSED
    assert "Blank again" in client.get(f"/tickets/{closed.number}/").content.decode()


def test_api_reopen_by_the_requester(closed, alice, api):
    # when
    done = api(alice).post(
        f"/api/v1/tickets/{closed.number}/reopen/", {"reason": "Again"}, format="json"
    )
    again = api(alice).post(
        f"/api/v1/tickets/{closed.number}/reopen/", {"reason": "Again"}, format="json"
    )

    # then
    assert done.status_code == 200
    assert done.json()["state"] == "diagnosed" and done.json()["reopen_count"] == 1
    assert again.status_code == 409


# --- after the window: report a related problem ------------------------------------------


def test_after_the_window_the_page_offers_a_related_report_instead(closed, alice, web):
    # when
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=8), tick=False):
        page = web(alice).get(f"/tickets/{closed.number}/").content.decode()

    # then
    assert 'id="reopen"' not in page
    assert f"/tickets/new/?related={closed.number}" in page


def test_the_related_report_is_prefilled_and_filed_as_a_follow_up(alice, bob, web):
    # given: a closed ticket about alice's laptop
    category = make_category("hardware-laptop")
    laptop = Asset.objects.create(tag="NB-0042", kind=AssetKind.LAPTOP, owner=alice)
    old = make_ticket_in(
        TicketState.CLOSED,
        requester=alice,
        engineer=bob,
        title="Laptop fan loud",
        category=category,
        asset=laptop,
    )
    client = web(alice)
    url = f"/tickets/new/?related={old.number}"

    # when: she opens the form from the old ticket
    form = client.get(url).context["form"]

    # then: prefilled from it
    assert form.initial["title"].endswith("Laptop fan loud")
    assert form.initial["title"] != "Laptop fan loud"  # "Re: …"
    assert form.initial["category"] == category.pk
    assert form.initial["asset"] == laptop.pk

    # when: she files it
    response = client.post(
        url,
        {
            "title": "Re: Laptop fan loud",
            "description": "The fan is loud again.",
            "impact": Impact.SINGLE,
            "urgency": Urgency.EXPERIENCE,
            "category": str(category.pk),
            "asset": str(laptop.pk),
        },
    )

    # then: a new ticket, linked to the old one as its follow-up, shown on both pages
    assert response.status_code == 302
    new = Ticket.objects.exclude(pk=old.pk).get(title="Re: Laptop fan loud")
    link = TicketLink.objects.get()
    assert (link.from_ticket_id, link.to_ticket_id, link.kind) == (
        new.pk,
        old.pk,
        LinkKind.FOLLOW_UP,
    )
    assert TicketEvent.objects.filter(ticket=old, kind=EventKind.LINKED).count() == 1
    assert TicketEvent.objects.filter(ticket=new, kind=EventKind.LINKED).count() == 1
    assert old.number in client.get(f"/tickets/{new.number}/").content.decode()
    assert new.number in client.get(f"/tickets/{old.number}/").content.decode()
    assert Ticket.objects.get(pk=old.pk).state == TicketState.CLOSED  # the old one stays closed


def test_a_related_report_about_someone_elses_ticket_is_an_ordinary_report(alice, carol, web):
    # given: carol's ticket; alice edits the address
    theirs = make_ticket(requester=carol, title="Carol's secret project")
    client = web(alice)
    url = f"/tickets/new/?related={theirs.number}"

    # when
    page = client.get(url)
    client.post(
        url,
        {
            "title": "My printer",
            "description": "Blank pages.",
            "impact": Impact.SINGLE,
            "urgency": Urgency.EXPERIENCE,
            "category": str(make_category().pk),
        },
    )

    # then: nothing of carol's ticket shows, and nothing links to it
    assert "secret project" not in page.content.decode()
    assert not page.context["form"].initial
    assert Ticket.objects.filter(requester=alice, title="My printer").exists()
    assert not TicketLink.objects.exists()
