"""The whole life of a ticket through the pages (Django test client, session login)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tickets.choices import EventKind, TicketState
from tickets.models import Ticket
from tickets.tests.factories import (
    DIAGNOSIS,
    make_category,
    make_ticket,
    make_ticket_in,
    snapshot,
    story,
)
from tickets.tests.transitions import BODIES, ENTITLED, ILLEGAL, PAGE_PATHS

pytestmark = pytest.mark.django_db

S = TicketState


@pytest.fixture
def printer(db):
    return make_category("hardware-printer")


def _form(printer, **overrides):
    return {
        "title": "Printer prints blank pages",
        "description": "Every page comes out blank since this morning",
        "impact": "multiple",
        "urgency": "abnormal",
        "category": str(printer.pk),
        **overrides,
    }


def _redirects_to_ticket(response, ticket):
    assert response.status_code == 302, (response.status_code, response.content[:500])
    assert response["Location"] == f"/tickets/{ticket.number}/"


def test_ticket_lives_from_report_to_close_through_pages(alice, bob, web, printer):
    # given
    as_alice, as_bob = web(alice), web(bob)

    # when: alice reports a problem with two screenshots
    response = as_alice.post(
        "/tickets/new/",
        {
            **_form(printer),
            "affected_system": "HP LaserJet M404dn",
            "attachments": [
                SimpleUploadedFile("front.png", b"\x89PNG one"),
                SimpleUploadedFile("tray.png", b"\x89PNG two"),
            ],
        },
    )

    # then
    ticket = Ticket.objects.get()
    _redirects_to_ticket(response, ticket)
    assert (ticket.requester, ticket.channel, ticket.state) == (alice, "web", S.SUBMITTED)
    assert ticket.priority == "medium"
    assert sorted(a.original_name for a in ticket.attachments.all()) == ["front.png", "tray.png"]
    page = as_alice.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 200
    assert ticket.number in page.content.decode()

    steps = [
        (as_bob, "accept/", {}, S.ACCEPTED),
        (as_bob, "diagnose/", DIAGNOSIS, S.DIAGNOSED),
        (as_bob, "resolve/", {"solution": "Cleaned the toner contacts"}, S.RESOLVED),
        (as_alice, "reject/", {"reason": "Still blank after lunch"}, S.DIAGNOSED),
        (as_bob, "resolve/", {"solution": "Replaced the toner cartridge"}, S.RESOLVED),
        (as_alice, "verify/", {"verification_note": "Prints fine now"}, S.VERIFIED),
        (as_bob, "close/", {}, S.CLOSED),
    ]
    for client, action, data, expected in steps:
        # when
        response = client.post(f"/tickets/{ticket.number}/{action}", data)

        # then
        _redirects_to_ticket(response, ticket)
        assert Ticket.objects.get(pk=ticket.pk).state == expected, action

    # then: the timeline, the page and the service report tell the story
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.assignee == bob
    assert ticket.reopen_count == 1
    assert ticket.solution == "Replaced the toner cartridge"
    assert ticket.verification_note == "Prints fine now"
    assert story(list(ticket.events.values_list("kind", flat=True))) == [
        EventKind.SUBMITTED,
        EventKind.ATTACHMENT_ADDED,
        EventKind.ACCEPTED,
        EventKind.DIAGNOSED,
        EventKind.RESOLVED,
        EventKind.FIX_REJECTED,
        EventKind.RESOLVED,
        EventKind.VERIFIED,
        EventKind.CLOSED,
    ]
    report = as_alice.get(f"/tickets/{ticket.number}/report/")
    assert report.status_code == 200
    assert "Replaced the toner cartridge" in report.content.decode()
    assert "Still blank after lunch" in report.content.decode()


@pytest.mark.parametrize(("state", "transition"), ILLEGAL)
def test_page_transition_in_wrong_state_is_409_and_changes_nothing(
    request, alice, bob, tom, web, state, transition
):
    # given
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    actor = request.getfixturevalue(ENTITLED[transition])
    before = snapshot(ticket)

    # when
    response = web(actor).post(
        f"/tickets/{ticket.number}/{PAGE_PATHS[transition]}/", BODIES[transition]
    )

    # then
    assert response.status_code == 409
    assert response.context["action_error"]
    assert response.context["action_error"] in response.content.decode()
    assert snapshot(ticket) == before


def test_reply_on_closed_ticket_page_is_409(alice, bob, web):
    # given
    ticket = make_ticket_in(S.CLOSED, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = web(alice).post(f"/tickets/{ticket.number}/reply/", {"body": "Hello?"})

    # then
    assert response.status_code == 409
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("state", "persona", "action", "data", "form_key", "field"),
    [
        (
            S.ACCEPTED,
            "bob",
            "diagnose/",
            {**DIAGNOSIS, "solution_plan": ""},
            "diagnose_form",
            "solution_plan",
        ),
        (
            S.ACCEPTED,
            "bob",
            "diagnose/",
            {**DIAGNOSIS, "impact_scope": ""},
            "diagnose_form",
            "impact_scope",
        ),
        (
            S.ACCEPTED,
            "bob",
            "diagnose/",
            {**DIAGNOSIS, "root_cause_type": "gremlins"},
            "diagnose_form",
            "root_cause_type",
        ),
        (S.DIAGNOSED, "bob", "resolve/", {"solution": ""}, "resolve_form", "solution"),
        (S.DIAGNOSED, "bob", "resolve/", {"solution": "x" * 100_000}, "resolve_form", "solution"),
        (S.RESOLVED, "alice", "reject/", {"reason": ""}, "reject_form", "reason"),
        (S.ACCEPTED, "bob", "request-info/", {"question": ""}, "info_form", "question"),
        (S.ACCEPTED, "bob", "reply/", {"body": ""}, "reply_form", "body"),
        (
            S.ACCEPTED,
            "bob",
            "priority/",
            {"priority": "high", "reason": ""},
            "priority_form",
            "reason",
        ),
        (
            S.ACCEPTED,
            "bob",
            "priority/",
            {"priority": "urgent", "reason": "x"},
            "priority_form",
            "priority",
        ),
    ],
)
def test_page_action_with_missing_field_is_400_with_form_error(
    request, alice, bob, web, state, persona, action, data, form_key, field
):
    # given
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = web(request.getfixturevalue(persona)).post(
        f"/tickets/{ticket.number}/{action}", data
    )

    # then
    assert response.status_code == 400
    assert field in response.context[form_key].errors
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("persona", "state", "action", "data"),
    [
        ("alice", S.SUBMITTED, "accept/", {}),
        ("alice", S.ACCEPTED, "diagnose/", DIAGNOSIS),
        ("erin", S.ACCEPTED, "diagnose/", DIAGNOSIS),
        ("alice", S.DIAGNOSED, "resolve/", {"solution": "x"}),
        ("erin", S.DIAGNOSED, "resolve/", {"solution": "x"}),
        ("bob", S.RESOLVED, "reject/", {"reason": "x"}),
        ("alice", S.VERIFIED, "close/", {}),
        ("dave", S.SUBMITTED, "accept/", {}),
    ],
)
def test_page_action_by_wrong_person_is_403(
    request, alice, bob, erin, dave, web, persona, state, action, data
):
    # given
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    before = snapshot(ticket)

    # when
    response = web(request.getfixturevalue(persona)).post(
        f"/tickets/{ticket.number}/{action}", data
    )

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


@pytest.mark.parametrize("missing", ["title", "description", "impact", "urgency", "category"])
def test_new_ticket_without_required_field_is_400_with_form_error(alice, web, printer, missing):
    # given
    data = {k: v for k, v in _form(printer).items() if k != missing}

    # when
    response = web(alice).post("/tickets/new/", data)

    # then
    assert response.status_code == 400
    assert missing in response.context["form"].errors
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "x" * 100_000), ("impact", "everyone"), ("urgency", "now"), ("category", "999999")],
)
def test_new_ticket_with_bad_field_is_400_with_form_error(alice, web, printer, field, value):
    # when
    response = web(alice).post("/tickets/new/", _form(printer, **{field: value}))

    # then
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_new_ticket_with_too_big_attachment_is_400_and_files_nothing(alice, web, printer, settings):
    # given
    settings.TICKETS_MAX_ATTACHMENT_MB = 1

    # when
    response = web(alice).post(
        "/tickets/new/",
        {
            **_form(printer),
            "attachments": [SimpleUploadedFile("huge.iso", b"0" * (2 * 1024 * 1024))],
        },
    )

    # then
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_new_ticket_form_page_is_refused_to_manager(dave, web):
    # when
    response = web(dave).get("/tickets/new/")

    # then
    assert response.status_code == 403


def test_engineer_logs_a_phone_call_for_a_caller(alice, bob, web, printer):
    # when
    response = web(bob).post(
        "/tickets/call/", {**_form(printer), "requester": str(alice.pk), "contact": "ext. 8021"}
    )

    # then
    ticket = Ticket.objects.get()
    _redirects_to_ticket(response, ticket)
    assert ticket.channel == "phone"
    assert ticket.reported_by == bob
    assert ticket.requester == alice
    assert ticket.contact == "ext. 8021"
    assert ticket.events.get(kind=EventKind.SUBMITTED).actor == bob
    assert web(alice).get(f"/tickets/{ticket.number}/").status_code == 200


def test_requester_may_not_log_calls(alice, carol, web, printer):
    # when
    response = web(alice).post("/tickets/call/", {**_form(printer), "requester": str(carol.pk)})

    # then
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_phone_call_without_caller_is_400_with_form_error(bob, web, printer):
    # when
    response = web(bob).post("/tickets/call/", _form(printer))

    # then
    assert response.status_code == 400
    assert "requester" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_htmx_action_answers_with_client_redirect(alice, bob, web):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = web(bob).post(f"/tickets/{ticket.number}/accept/", HTTP_HX_REQUEST="true")

    # then
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/tickets/{ticket.number}/"
    assert Ticket.objects.get(pk=ticket.pk).state == S.ACCEPTED


def test_page_action_without_csrf_token_is_refused(alice, bob):
    # given
    ticket = make_ticket(requester=alice)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)
    before = snapshot(ticket)

    # when
    response = browser.post(f"/tickets/{ticket.number}/accept/")

    # then
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_page_actions_answer_only_post(alice, bob, web):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = web(bob).get(f"/tickets/{ticket.number}/accept/")

    # then
    assert response.status_code == 405
    assert Ticket.objects.get(pk=ticket.pk).state == S.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "url"), [("bob", "/tickets/queue/"), ("alice", "/tickets/mine/")]
)
def test_list_pages_show_the_ticket(request, alice, bob, web, persona, url):
    # given
    ticket = make_ticket(requester=alice, title="Projector shows no picture")

    # when
    response = web(request.getfixturevalue(persona)).get(url)

    # then
    assert response.status_code == 200
    assert ticket.number in response.content.decode()
    assert "Projector shows no picture" in response.content.decode()


def test_a_cancelled_ticket_shows_only_the_steps_it_went_through(web, alice):
    # given: alice withdrew her ticket before anyone accepted it
    from tickets import services
    from tickets.tests.factories import make_ticket

    ticket = make_ticket(requester=alice)
    services.cancel_ticket(ticket.pk, actor=alice, reason="Solved itself")

    # when
    html = web(alice).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content
    steps = html.decode().split('class="steps')[1].split("</ol>")[0]

    # then: submitted, then cancelled; never "verified" or "closed" as if it had been fixed
    assert "Submitted" in steps and "Cancelled" in steps
    assert "Verified" not in steps and "Diagnosed" not in steps
