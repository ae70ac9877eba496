"""Related-ticket links: engineers link and unlink, both tickets show the link and its
history; a requester sees only links to tickets they may open."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tickets import services
from tickets.choices import EventKind, LinkKind, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound, ValidationError
from tickets.models import TicketEvent, TicketLink
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are read in English here (the desk's default language is Chinese)."""
    with translation.override("en"):
        yield


def _entries(ticket, kind):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind))


def test_an_engineer_links_two_tickets_shown_on_both_pages(alice, bob, web):
    # given: an open ticket and an old closed one of alice's
    new = make_ticket(requester=alice, title="VPN drops every hour")
    old = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob, title="VPN drops")
    client = web(bob)

    # when
    response = client.post(f"/tickets/{new.number}/links/", {"ticket": old.number})

    # then: each page names the other ticket with its number, title and state
    assert response.status_code == 302
    link = TicketLink.objects.get()
    assert (link.from_ticket_id, link.to_ticket_id, link.kind) == (new.pk, old.pk, "related")
    assert link.created_by_id == bob.pk
    for this, other in ((new, old), (old, new)):
        page = client.get(f"/tickets/{this.number}/").content.decode()
        assert f'data-number="{other.number}"' in page
        assert other.title in page
        [entry] = _entries(this, EventKind.LINKED)
        assert entry.data["ticket"] == other.number and entry.actor_id == bob.pk
        assert entry.is_internal  # the engineers' bookkeeping; the card shows her the link
    page = client.get(f"/tickets/{new.number}/").content.decode()
    item = page[page.index(f'data-number="{old.number}"') :].split("</li>")[0]
    with translation.override("zh-hans"):  # bob's page is in the desk's language
        assert str(TicketState.CLOSED.label) in item


def test_unlink_removes_the_link_from_either_side_with_an_entry_on_both(alice, bob):
    # given
    a, b = make_ticket(requester=alice), make_ticket(requester=alice)
    services.link_tickets(a.pk, actor=bob, other=b.number)

    # when: unlinked from the other side
    services.unlink_tickets(b.pk, actor=bob, other=a.number)

    # then
    assert not TicketLink.objects.exists()
    assert len(_entries(a, EventKind.UNLINKED)) == len(_entries(b, EventKind.UNLINKED)) == 1
    with pytest.raises(TicketNotFound):  # nothing left to unlink
        services.unlink_tickets(a.pk, actor=bob, other=b.number)


@pytest.mark.parametrize("case", ["itself", "unknown", "again", "reversed"])
def test_link_refuses_with_a_clear_error(alice, bob, case):
    # given
    a, b = make_ticket(requester=alice), make_ticket(requester=alice)
    services.link_tickets(a.pk, actor=bob, other=b.number)
    target = {"itself": (a, a.number), "unknown": (a, "IT-19990101-9999")}.get(case)
    target = target or ((a, b.number) if case == "again" else (b, a.number))
    events = TicketEvent.objects.count()

    # when
    error = ValidationError if case in ("itself", "unknown") else InvalidTransition
    with pytest.raises(error) as refused:
        services.link_tickets(target[0].pk, actor=bob, other=target[1])

    # then
    assert TicketEvent.objects.count() == events and TicketLink.objects.count() == 1
    if error is ValidationError:
        assert set(refused.value.message_dict) == {"ticket"}
    else:
        assert "already linked" in str(refused.value)


def test_only_engineers_and_tech_leads_link(alice, carol, bob, tom, dave):
    # given
    a, b = make_ticket(requester=alice), make_ticket(requester=alice)

    # then
    for person in (alice, dave):
        with pytest.raises(ActionForbidden):
            services.link_tickets(a.pk, actor=person, other=b.number)
    with pytest.raises(TicketNotFound):
        services.link_tickets(a.pk, actor=carol, other=b.number)
    services.link_tickets(a.pk, actor=tom, other=b.number)


def test_a_requester_sees_only_links_to_tickets_she_may_open(alice, carol, bob, web, api):
    # given: alice's ticket linked to carol's (same outage) and to another of her own
    mine = make_ticket(requester=alice, title="Wi-Fi slow")
    own = make_ticket(requester=alice, title="Wi-Fi slow yesterday")
    theirs = make_ticket(requester=carol, title="Carol cannot print payroll")
    services.link_tickets(mine.pk, actor=bob, other=theirs.number)
    services.link_tickets(mine.pk, actor=bob, other=own.number)

    # when
    page = web(alice).get(f"/tickets/{mine.number}/").content.decode()
    listed = api(alice).get(f"/api/v1/tickets/{mine.number}/links/").json()
    events = api(alice).get(f"/api/v1/tickets/{mine.number}/events/").json()

    # then: her own one is there; carol's number and title never reach her
    assert own.number in page and own.title in page
    assert theirs.number not in page and theirs.title not in page
    assert [row["number"] for row in listed] == [own.number]
    assert theirs.number not in str(events)
    # staff see both, and the timeline entries about them
    assert [r["number"] for r in api(bob).get(f"/api/v1/tickets/{mine.number}/links/").json()] == [
        theirs.number,
        own.number,
    ]
    linked = _entries(mine, EventKind.LINKED)
    assert [e.is_internal for e in linked] == [True, True]


def test_the_page_offers_the_link_forms_to_staff_only(alice, bob, dave, web):
    # given
    ticket = make_ticket(requester=alice)

    # when
    pages = {
        p.username: web(p).get(f"/tickets/{ticket.number}/").content.decode()
        for p in (alice, bob, dave)
    }

    # then: bob may link and merge; the manager reads; alice has no related-tickets card
    assert f'action="/tickets/{ticket.number}/links/"' in pages["bob"]
    assert f'action="/tickets/{ticket.number}/merge/"' in pages["bob"]
    assert "/links/" not in pages["dave"] and "/merge/" not in pages["dave"]
    assert 'id="related"' not in pages["alice"]


def test_api_links_list_create_delete(alice, bob, api):
    # given
    a, b = make_ticket(requester=alice), make_ticket(requester=alice, title="Other")
    client = api(bob)
    base = f"/api/v1/tickets/{a.number}/links/"

    # when / then
    missing = client.post(base, {}, format="json")
    assert missing.status_code == 400 and "ticket" in missing.json()
    created = client.post(base, {"ticket": b.number}, format="json")
    assert created.status_code == 201
    assert created.json()["number"] == b.number
    assert created.json()["relation"] == "related" and created.json()["state"] == "submitted"
    again = client.post(f"/api/v1/tickets/{b.number}/links/", {"ticket": a.number}, format="json")
    assert again.status_code == 409
    listed = client.get(f"/api/v1/tickets/{b.number}/links/").json()
    assert [(row["number"], row["title"] != "") for row in listed] == [(a.number, True)]
    assert api(alice).delete(f"{base}{b.number}/").status_code == 403
    assert client.delete(f"{base}{b.number}/").status_code == 204
    assert client.delete(f"{base}{b.number}/").status_code == 404
    assert client.get(base).json() == []


def test_a_follow_up_link_reads_from_both_sides(alice, bob, api):
    # given: a follow-up filed from an old ticket
    old = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)
    new = services.submit_follow_up(
        old.pk,
        actor=alice,
        title="Printer blank again",
        description="Same as before",
        category=old.category,
        impact=old.impact,
        urgency=old.urgency,
    )

    # then
    [on_new] = api(alice).get(f"/api/v1/tickets/{new.number}/links/").json()
    [on_old] = api(alice).get(f"/api/v1/tickets/{old.number}/links/").json()
    assert (on_new["number"], on_new["kind"], on_new["relation"]) == (
        old.number,
        LinkKind.FOLLOW_UP,
        "follow_up_of",
    )
    assert (on_old["number"], on_old["relation"]) == (new.number, "followed_up_by")


@pytest.mark.parametrize("persona", ["bob", "alice"])
def test_the_ticket_page_runs_the_same_queries_for_few_and_many_links(
    request, alice, bob, web, persona
):
    # given: two tickets, with 2 and 12 linked tickets (and one merged duplicate each)
    def linked(n: int):
        ticket = make_ticket(requester=alice)
        for _ in range(n):
            services.link_tickets(ticket.pk, actor=bob, other=make_ticket(requester=alice).number)
        services.merge_ticket(make_ticket(requester=alice).pk, actor=bob, into=ticket.number)
        return ticket

    few, many = linked(2), linked(12)
    client = web(request.getfixturevalue(persona))
    client.get(f"/tickets/{few.number}/")  # warm up: session, content types
    counts = []

    # when
    for ticket in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/tickets/{ticket.number}/")
        assert response.status_code == 200
        counts.append(len(queries))

    # then
    assert counts[0] == counts[1]
    assert response.content.decode().count('data-kind="related"') == 12
