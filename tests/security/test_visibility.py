"""Lists, search, counts and internal notes: nobody sees a row or a word they may not see.

The access matrix checks each route's status code; these check what the pages and the API
*show*: which tickets a list or a search returns, what the tab counts and the bell count
say, and that an engineer's internal note reaches a requester through no page, API
response, timeline entry, notification or e-mail.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from notifications import delivery
from notifications.models import Notification
from tickets import services
from tickets.choices import TicketState
from tickets.tests.factories import make_ticket, make_ticket_in, move_to

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Salary spreadsheet will not open q7x"
NOTE = "INTERNAL-ONLY vendor contract 4711 expired, do not tell the user"
NOTE_FILE = "vendor-contract-4711.txt"
NOTE_FILE_BODY = b"contract terms 4711"


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _numbers(api_list: dict) -> set[str]:
    return {row["number"] for row in api_list["results"]}


def _row_numbers(html: str) -> list[str]:
    return re.findall(r'<tr data-href="/tickets/([^/"]+)/"', html)


def _tab_counts(html: str) -> dict[str, int]:
    """``{tab query: count}`` as the queue's tab strip shows them."""
    return {
        query: int(count)
        for query, count in re.findall(
            r'<a class="nav-link[^"]*" href="/tickets/queue/\??([^"]*)"[^>]*>[^<]*'
            r'<span class="badge[^"]*">(\d+)<',
            html,
        )
    }


# --- lists and search ----------------------------------------------------------------------


@pytest.fixture
def tickets(alice, carol, bob):
    return {
        "alice_open": make_ticket(requester=alice, title=SECRET_TITLE),
        "alice_done": make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob),
        "carol": make_ticket(requester=carol, title="My mouse is broken"),
    }


def test_requester_lists_and_searches_only_her_own_tickets_in_the_api(carol, tickets):
    # given
    client = _token_client(carol)
    alice_open = tickets["alice_open"]

    # when
    listed = client.get("/api/v1/tickets/").json()
    by_number = client.get(f"/api/v1/tickets/?q={alice_open.number}").json()
    by_title = client.get("/api/v1/tickets/?q=Salary").json()
    by_state = client.get("/api/v1/tickets/?state=submitted&state=closed").json()
    by_open = client.get("/api/v1/tickets/?open=false").json()

    # then
    assert _numbers(listed) == {tickets["carol"].number}
    assert listed["count"] == 1
    assert by_number["results"] == [] and by_number["count"] == 0
    assert by_title["results"] == [] and by_title["count"] == 0
    assert _numbers(by_state) == {tickets["carol"].number}
    assert by_open["results"] == [] and by_open["count"] == 0


def test_requester_my_tickets_page_shows_only_her_tickets(carol, web, tickets):
    # when
    html = web(carol).get("/tickets/mine/").content.decode()

    # then
    assert tickets["carol"].number in html
    assert tickets["alice_open"].number not in html
    assert tickets["alice_done"].number not in html
    assert SECRET_TITLE not in html


def test_requester_cannot_use_the_queue_search(carol, web, tickets):
    # when
    response = web(carol).get("/tickets/queue/?q=Salary")

    # then
    assert response.status_code == 403
    assert SECRET_TITLE not in response.content.decode()


def test_engineer_search_finds_the_ticket_by_number_and_title(bob, web, tickets):
    # The same searches do find the row for someone who may see it (the negative above
    # is not an accident of a broken search).
    client = web(bob)

    # when
    by_number = client.get(f"/tickets/queue/?q={tickets['alice_open'].number}").content.decode()
    by_title = client.get("/tickets/queue/?q=Salary").content.decode()
    api = _token_client(bob).get("/api/v1/tickets/?q=Salary").json()

    # then
    assert _row_numbers(by_number) == [tickets["alice_open"].number]
    assert _row_numbers(by_title) == [tickets["alice_open"].number]
    assert _numbers(api) == {tickets["alice_open"].number}


# --- counts --------------------------------------------------------------------------------


def test_queue_tab_counts_are_the_rows_each_tab_lists(alice, carol, bob, erin, web):
    # given: open tickets in every tab, a verified one waiting to be closed (listed in "all
    # open" and "to close"), and a closed one that no tab may count
    make_ticket(requester=alice)
    make_ticket(requester=carol)
    make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    waiting = make_ticket_in(TicketState.ACCEPTED, requester=carol, engineer=bob)
    services.request_info(waiting.pk, actor=bob, question="Which room?")
    make_ticket_in(TicketState.DIAGNOSED, requester=carol, engineer=erin)
    make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)
    make_ticket_in(TicketState.CLOSED, requester=carol, engineer=bob)
    client = web(bob)

    # when
    counts = _tab_counts(client.get("/tickets/queue/").content.decode())
    rows = {
        query: _row_numbers(client.get(f"/tickets/queue/?{query}").content.decode())
        for query in counts
    }

    # then
    assert set(counts) == {
        "",
        "unassigned=true",
        "mine=true",
        "waiting_on=requester",
        "state=verified",
    }
    assert counts == {query: len(numbers) for query, numbers in rows.items()}
    assert counts == {
        "": 6,
        "unassigned=true": 2,
        "mine=true": 2,
        "waiting_on=requester": 1,
        "state=verified": 1,
    }


def test_bell_counts_only_my_own_unread_notifications(alice, carol, bob, web):
    # given: bob accepts and answers alice's ticket; alice is told twice, carol never
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    services.add_message(ticket.pk, actor=bob, body="On my way")

    # when
    alice_page = web(alice).get("/tickets/mine/").content.decode()
    carol_page = web(carol).get("/tickets/mine/").content.decode()
    carol_inbox = web(carol).get("/notifications/").content.decode()

    # then
    assert re.search(r'id="unread-count">2<', alice_page)
    assert 'id="unread-count"' not in carol_page
    assert ticket.number not in carol_inbox


# --- internal notes ------------------------------------------------------------------------


@pytest.fixture
def noted(alice, bob):
    """alice's ticket with a public reply and an internal note (with a file) by bob."""
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    services.add_message(
        ticket.pk,
        actor=bob,
        body=NOTE,
        internal=True,
        files=[SimpleUploadedFile(NOTE_FILE, NOTE_FILE_BODY)],
    )
    services.add_message(ticket.pk, actor=bob, body="I will replace the fuser this afternoon")
    return move_to(ticket, TicketState.RESOLVED, engineer=bob)


def _everything_alice_can_read(client, api: APIClient, number: str) -> dict[str, str]:
    pages = {
        "detail": client.get(f"/tickets/{number}/"),
        "report": client.get(f"/tickets/{number}/report/"),
        "mine": client.get("/tickets/mine/"),
        "inbox": client.get("/notifications/"),
    }
    apis = {
        "api detail": api.get(f"/api/v1/tickets/{number}/"),
        "api messages": api.get(f"/api/v1/tickets/{number}/messages/"),
        "api attachments": api.get(f"/api/v1/tickets/{number}/attachments/"),
        "api events": api.get(f"/api/v1/tickets/{number}/events/"),
        "api list": api.get("/api/v1/tickets/?q=4711"),
    }
    for name, response in {**pages, **apis}.items():
        assert response.status_code == 200, (name, response.status_code)
    return {name: response.content.decode() for name, response in {**pages, **apis}.items()}


def test_internal_note_reaches_the_requester_through_no_page_or_api(alice, bob, web, noted):
    # when
    seen = _everything_alice_can_read(web(alice), _token_client(alice), noted.number)
    staff = _everything_alice_can_read(web(bob), _token_client(bob), noted.number)

    # then: the engineer sees the note, alice sees the public reply and never the note
    assert NOTE in staff["detail"] and NOTE_FILE in staff["api attachments"]
    assert "I will replace the fuser" in seen["detail"]
    for name, body in seen.items():
        assert "4711" not in body, name
        assert NOTE_FILE not in body, name
        assert "note_added" not in body, name


def test_internal_attachment_cannot_be_downloaded_by_the_requester(alice, bob, web, noted):
    # given
    attachment = noted.attachments.get(is_internal=True)
    url = f"/tickets/{noted.number}/attachments/{attachment.pk}/"

    # when
    as_alice = web(alice).get(url)
    as_bob = web(bob).get(url)

    # then
    assert as_alice.status_code == 404
    assert b"4711" not in as_alice.content
    assert as_bob.status_code == 200
    assert b"".join(as_bob.streaming_content) == NOTE_FILE_BODY


def test_internal_note_creates_no_notification_and_no_e_mail(alice, bob, noted, mailoutbox):
    # when: every pending e-mail is sent, as the worker would
    for notification_id in delivery.pending_ids():
        delivery.send_notification(notification_id)

    # then: alice heard about the reply and the fix, never about the note
    to_alice = [m for m in mailoutbox if m.to == [alice.email]]
    assert len(to_alice) >= 2  # accepted, reply, resolved
    for message in mailoutbox:
        assert "4711" not in message.subject + message.body
        assert NOTE_FILE not in message.body
    kinds = set(Notification.objects.filter(recipient=alice).values_list("kind", flat=True))
    assert "note_added" not in kinds
    for payload in Notification.objects.filter(recipient=alice).values_list("payload", flat=True):
        assert "4711" not in str(payload)


def test_requester_cannot_write_an_internal_note(alice, web, noted):
    # given
    before = noted.messages.count()

    # when
    page = web(alice).post(f"/tickets/{noted.number}/reply/", {"body": "x", "internal": "on"})
    api = _token_client(alice).post(
        f"/api/v1/tickets/{noted.number}/messages/",
        {"body": "x", "internal": True},
        format="json",
    )

    # then
    assert page.status_code == 403
    assert api.status_code == 403
    assert noted.messages.count() == before
