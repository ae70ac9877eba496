"""Internal notes reach engineers and managers only: never the requester, by any road."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services
from tickets.choices import EventKind, TicketState
from tickets.tests.factories import make_ticket, make_ticket_in, snapshot

pytestmark = pytest.mark.django_db

NOTE = "Suspect the requester reinstalled the driver herself 7f3a9c"
NOTE_FILE = "internal-diagnostics-5b1e.txt"


@pytest.fixture
def noted_ticket(alice, bob, api):
    """An accepted ticket with one public reply and one internal note (with a file)."""
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    as_bob = api(bob)
    public = as_bob.post(
        f"/api/v1/tickets/{ticket.number}/messages/",
        {"body": "We are ordering a new fuser."},
        format="json",
    )
    note = as_bob.post(
        f"/api/v1/tickets/{ticket.number}/messages/",
        {"body": NOTE, "internal": True},
        format="json",
    )
    assert public.status_code == 201
    assert note.status_code == 201, note.content
    assert note.json()["kind"] == "internal"
    services.add_message(
        ticket.pk,
        actor=bob,
        body="Log attached",
        internal=True,
        files=[SimpleUploadedFile(NOTE_FILE, b"dmesg output")],
    )
    return ticket


def test_requester_does_not_get_internal_note_in_messages(alice, api, noted_ticket):
    # when
    response = api(alice).get(f"/api/v1/tickets/{noted_ticket.number}/messages/")

    # then
    assert response.status_code == 200
    bodies = [m["body"] for m in response.json()]
    assert bodies == ["We are ordering a new fuser."]
    assert NOTE not in response.content.decode()
    assert all(m["kind"] == "public" for m in response.json())


def test_engineer_and_manager_get_internal_note_in_messages(bob, dave, api, noted_ticket):
    for person in (bob, dave):
        # when
        response = api(person).get(f"/api/v1/tickets/{noted_ticket.number}/messages/")

        # then
        assert NOTE in [m["body"] for m in response.json()]


def test_requester_does_not_get_internal_events(alice, bob, api, noted_ticket):
    # when
    as_alice = api(alice).get(f"/api/v1/tickets/{noted_ticket.number}/events/").json()
    as_bob = api(bob).get(f"/api/v1/tickets/{noted_ticket.number}/events/").json()

    # then
    alice_kinds = [e["kind"] for e in as_alice]
    assert EventKind.NOTE_ADDED not in alice_kinds
    assert EventKind.ATTACHMENT_ADDED not in alice_kinds
    assert EventKind.REPLIED in alice_kinds
    assert NOTE_FILE not in str(as_alice)
    assert [e["kind"] for e in as_bob].count(EventKind.NOTE_ADDED) == 2
    assert NOTE_FILE in str(as_bob)


def test_requester_does_not_get_internal_attachment(alice, bob, api, web, noted_ticket):
    # given
    internal = noted_ticket.attachments.get(original_name=NOTE_FILE)

    # when
    listed = api(alice).get(f"/api/v1/tickets/{noted_ticket.number}/attachments/")
    download = web(alice).get(f"/tickets/{noted_ticket.number}/attachments/{internal.pk}/")

    # then
    assert listed.status_code == 200
    assert listed.json() == []
    assert download.status_code == 404
    staff_download = web(bob).get(f"/tickets/{noted_ticket.number}/attachments/{internal.pk}/")
    assert staff_download.status_code == 200
    assert b"".join(staff_download.streaming_content) == b"dmesg output"


def test_requester_ticket_page_has_no_internal_note(alice, bob, web, noted_ticket):
    # when
    page = web(alice).get(f"/tickets/{noted_ticket.number}/")
    work_view = web(bob).get(f"/tickets/{noted_ticket.number}/")

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "We are ordering a new fuser." in html
    assert NOTE not in html
    assert NOTE_FILE not in html
    assert work_view.status_code == 200
    assert NOTE in work_view.content.decode()


def test_requester_service_report_has_no_internal_note(alice, bob, web, noted_ticket):
    # when
    report = web(alice).get(f"/tickets/{noted_ticket.number}/report/")
    staff_report = web(bob).get(f"/tickets/{noted_ticket.number}/report/")

    # then
    assert report.status_code == 200
    assert NOTE not in report.content.decode()
    assert NOTE_FILE not in report.content.decode()
    assert staff_report.status_code == 200


def test_requester_posting_internal_note_gets_403(alice, api):
    # given
    ticket = make_ticket(requester=alice)
    before = snapshot(ticket)

    # when
    response = api(alice).post(
        f"/api/v1/tickets/{ticket.number}/messages/",
        {"body": "Let me hide this", "internal": True},
        format="json",
    )

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_requester_posting_internal_note_through_page_gets_403(alice, web):
    # given
    ticket = make_ticket(requester=alice)
    before = snapshot(ticket)

    # when
    response = web(alice).post(
        f"/tickets/{ticket.number}/reply/", {"body": "Let me hide this", "internal": "on"}
    )

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_manager_cannot_write_internal_note(alice, bob, dave, api):
    # given: dave reads everything but does not work tickets
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = api(dave).post(
        f"/api/v1/tickets/{ticket.number}/messages/",
        {"body": "Manager note", "internal": True},
        format="json",
    )

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before
