"""carol never reaches alice's ticket: every API endpoint and every page answers 404.

A 404 (not 403) so that an outsider cannot even learn that the number exists.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services
from tickets.choices import TicketState
from tickets.tests.factories import DIAGNOSIS, make_ticket, move_to, snapshot

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Salary spreadsheet will not open 41c9"

API_CALLS = [
    ("get", "", None),
    ("patch", "", {"title": "Hijacked"}),
    ("get", "messages/", None),
    ("post", "messages/", {"body": "Hello from carol"}),
    ("get", "attachments/", None),
    ("get", "events/", None),
    ("post", "accept/", {}),
    ("post", "diagnose/", DIAGNOSIS),
    ("post", "resolve/", {"solution": "Nothing"}),
    ("post", "verify/", {"verification_note": "Looks fine to me"}),
    ("post", "reject_fix/", {"reason": "Nope"}),
    ("post", "close/", {}),
    ("post", "cancel/", {"reason": "Mine now"}),
    ("post", "request_info/", {"question": "Why?"}),
    ("post", "priority/", {"priority": "low", "reason": "Not important"}),
]

PAGE_POSTS = [
    ("accept/", {}),
    ("diagnose/", DIAGNOSIS),
    ("resolve/", {"solution": "Nothing"}),
    ("verify/", {"verification_note": "Fine"}),
    ("reject/", {"reason": "Nope"}),
    ("close/", {}),
    ("cancel/", {"reason": "Mine now"}),
    ("request-info/", {"question": "Why?"}),
    ("reply/", {"body": "Hello from carol"}),
    ("priority/", {"priority": "low", "reason": "Not important"}),
    ("assign/", {"assignee": "1"}),
]

STATES = [TicketState.SUBMITTED, TicketState.RESOLVED, TicketState.CLOSED]


@pytest.fixture(params=STATES)
def alices_ticket(request, alice, bob):
    ticket = make_ticket(requester=alice, title=SECRET_TITLE)
    services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("payroll.txt", b"confidential")]
    )
    return move_to(ticket, request.param, engineer=bob)


@pytest.mark.parametrize(("method", "suffix", "body"), API_CALLS)
def test_outsider_gets_404_from_every_api_endpoint(carol, api, alices_ticket, method, suffix, body):
    # given
    before = snapshot(alices_ticket)
    url = f"/api/v1/tickets/{alices_ticket.number}/{suffix}"

    # when
    client = api(carol)
    response = (
        getattr(client, method)(url, body, format="json") if body is not None else client.get(url)
    )

    # then
    assert response.status_code == 404, (url, response.status_code)
    assert SECRET_TITLE not in response.content.decode()
    assert snapshot(alices_ticket) == before


def test_outsider_gets_404_uploading_to_the_ticket(carol, api, alices_ticket):
    # given
    before = snapshot(alices_ticket)

    # when
    response = api(carol).post(
        f"/api/v1/tickets/{alices_ticket.number}/attachments/",
        {"file": SimpleUploadedFile("x.txt", b"x")},
        format="multipart",
    )

    # then
    assert response.status_code == 404
    assert snapshot(alices_ticket) == before


def test_outsider_does_not_find_the_ticket_in_lists_or_search(carol, api, alices_ticket):
    # given
    own = make_ticket(requester=carol, title="My own mouse is broken")

    # when
    listed = api(carol).get("/api/v1/tickets/").json()
    searched = api(carol).get(f"/api/v1/tickets/?q={alices_ticket.number}").json()

    # then
    assert [t["number"] for t in listed["results"]] == [own.number]
    assert searched["results"] == []


@pytest.mark.parametrize("suffix", ["", "report/"])
def test_outsider_gets_404_from_ticket_pages(carol, web, alices_ticket, suffix):
    # when
    response = web(carol).get(f"/tickets/{alices_ticket.number}/{suffix}")

    # then
    assert response.status_code == 404
    assert SECRET_TITLE not in response.content.decode()


def test_outsider_gets_404_downloading_the_attachment(carol, web, alices_ticket):
    # given
    attachment = alices_ticket.attachments.get()

    # when
    response = web(carol).get(f"/tickets/{alices_ticket.number}/attachments/{attachment.pk}/")

    # then
    assert response.status_code == 404
    assert b"confidential" not in response.content


@pytest.mark.parametrize(("suffix", "body"), PAGE_POSTS)
def test_outsider_gets_404_from_every_page_action(carol, web, alices_ticket, suffix, body):
    # given
    before = snapshot(alices_ticket)

    # when
    response = web(carol).post(f"/tickets/{alices_ticket.number}/{suffix}", body)

    # then
    assert response.status_code == 404
    assert snapshot(alices_ticket) == before


def test_outsider_does_not_see_the_ticket_on_my_tickets_page(carol, web, alices_ticket):
    # when
    response = web(carol).get("/tickets/mine/")

    # then
    assert response.status_code == 200
    assert alices_ticket.number not in response.content.decode()
    assert SECRET_TITLE not in response.content.decode()


def test_outsider_may_not_open_the_queue(carol, web):
    # when
    response = web(carol).get("/tickets/queue/")

    # then
    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_ticket_page(client, alice):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = client.get(f"/tickets/{ticket.number}/")

    # then
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
