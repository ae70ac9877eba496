"""Small leaks and rough edges: an internal note's time, ``Vary`` for htmx, one-line titles.

- An internal note leaves ``last_activity_at`` alone (requesters see it in their list and the
  API); a public reply, or a file, moves it.
- A response that differs for htmx says so with ``Vary: HX-Request``, full page and fragment.
- A title with a line break is refused on create and on edit, with an error naming
  ``title``, through the form and the API, so no subject or notice line can be injected.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tickets import services
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_category, make_ticket, make_ticket_in, snapshot

pytestmark = pytest.mark.django_db


def _later(minutes: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


# --- an internal note is not activity the requester sees -------------------------------


def test_internal_note_does_not_move_the_activity_time_requesters_see(alice, bob, api, web):
    # given
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    seen_before = api(alice).get(f"/api/v1/tickets/{ticket.number}/").json()["last_activity_at"]

    # when: an hour later an engineer writes an internal note, with a file
    with time_machine.travel(_later(60), tick=False):
        services.add_message(
            ticket.pk,
            actor=bob,
            body="Suspect the fuser; do not tell the user yet",
            internal=True,
            files=[SimpleUploadedFile("notes.txt", b"internal")],
        )

    # then
    seen_after = api(alice).get(f"/api/v1/tickets/{ticket.number}/").json()["last_activity_at"]
    assert seen_after == seen_before
    assert Ticket.objects.get(pk=ticket.pk).last_activity_at == ticket.last_activity_at
    # and: a public reply, then a public file, still move it
    for minutes in (90, 120):
        moment = _later(minutes)
        with time_machine.travel(moment, tick=False):
            if minutes == 90:
                services.add_message(ticket.pk, actor=bob, body="On my way")
            else:
                services.add_attachments(
                    ticket.pk, actor=alice, files=[SimpleUploadedFile("a.txt", b"a")]
                )
        assert Ticket.objects.get(pk=ticket.pk).last_activity_at == moment


def test_internal_note_leaves_every_column_of_the_ticket_alone(alice, bob):
    # given
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    with time_machine.travel(_later(30), tick=False):
        services.add_message(ticket.pk, actor=bob, body="checked the logs", internal=True)

    # then: only the timeline, the messages and the staff-only search words grew
    after = snapshot(ticket)
    assert after.pop("events") == before.pop("events") + 1
    assert after.pop("messages") == before.pop("messages") + 1
    assert "logs" in after.pop("search_notes")
    assert after.pop("search_document") == before.pop("search_document")
    before.pop("search_notes")
    assert after == before


# --- Vary: HX-Request -------------------------------------------------------------------


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("htmx", [True, False], ids=["fragment", "full-page"])
def test_queue_answers_vary_on_hx_request(bob, alice, web, htmx):
    # given
    make_ticket(requester=alice)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    # when
    response = web(bob).get("/tickets/queue/", **headers)

    # then
    assert response.status_code == 200
    assert "hx-request" in _vary(response)


@pytest.mark.parametrize("htmx", [True, False], ids=["client-redirect", "redirect"])
def test_ticket_actions_vary_on_hx_request(bob, alice, web, htmx):
    # given
    ticket = make_ticket(requester=alice)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    # when
    response = web(bob).post(f"/tickets/{ticket.number}/accept/", **headers)

    # then
    assert response.status_code in (200, 302)
    assert "hx-request" in _vary(response)


# --- titles are one line ----------------------------------------------------------------

BROKEN_TITLES = [
    "Printer broken\r\nBcc: everyone@example.com",
    "Printer broken\nX-Priority: 1",
    "Printer broken\rSubject: pay this invoice",
    "Printer broken\u2028Reply-To: evil@example.com",
]


@pytest.fixture
def printer(db):
    return make_category("hardware-printer")


@pytest.mark.parametrize("title", BROKEN_TITLES)
def test_new_ticket_form_refuses_a_title_with_a_line_break(alice, web, printer, title):
    # when
    response = web(alice).post(
        "/tickets/new/",
        {
            "title": title,
            "description": "Every page comes out blank",
            "impact": "single",
            "urgency": "abnormal",
            "category": str(printer.pk),
        },
    )

    # then
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("title", BROKEN_TITLES)
def test_api_create_refuses_a_title_with_a_line_break(alice, api, printer, title):
    # when
    response = api(alice).post(
        "/api/v1/tickets/",
        {
            "title": title,
            "description": "Every page comes out blank",
            "impact": "single",
            "urgency": "abnormal",
            "category": printer.slug,
        },
        format="json",
    )

    # then
    assert response.status_code == 400, response.content
    assert "title" in response.json()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("title", BROKEN_TITLES)
def test_api_patch_refuses_a_title_with_a_line_break(alice, api, title):
    # given
    ticket = make_ticket(requester=alice)
    before = snapshot(ticket)

    # when
    response = api(alice).patch(
        f"/api/v1/tickets/{ticket.number}/", {"title": title}, format="json"
    )

    # then
    assert response.status_code == 400, response.content
    assert "title" in response.json()
    assert snapshot(ticket) == before
    # and: surrounding spaces and a trailing newline are trimmed, not refused
    trimmed = api(alice).patch(
        f"/api/v1/tickets/{ticket.number}/", {"title": "  Printer: blank pages \n"}, format="json"
    )
    assert trimmed.status_code == 200, trimmed.content
    assert Ticket.objects.get(pk=ticket.pk).title == "Printer: blank pages"
