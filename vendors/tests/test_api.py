"""The vendors API: vendors, and a ticket's vendor cases (who may, bad input, wrong state,
the shape of a case, and a fixed number of queries for the case list)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import WaitingOn
from tickets.models import Ticket
from tickets.tests.factories import make_ticket
from vendors import services
from vendors.models import Vendor, VendorCase
from vendors.tests.factories import accepted_ticket, at, make_vendor, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

TUESDAY_10 = sh(2026, 11, 24, 10, 0)


@pytest.fixture
def ticket(alice, bob) -> Ticket:
    return accepted_ticket(alice, bob, sh(2026, 11, 24, 9, 0))


def cases_url(ticket: Ticket) -> str:
    return f"/api/v1/tickets/{ticket.number}/vendor-cases/"


def post_at(client, moment: dt.datetime, url: str, body: dict):
    return at(moment, client.post, url, body, format="json")


# --- opening, listing, closing ----------------------------------------------------------------


def test_opening_a_case_returns_it_with_its_next_update_due(api, ticket, bob):
    # given
    vendor = make_vendor()

    # when
    response = post_at(
        api(bob),
        TUESDAY_10,
        cases_url(ticket),
        {"vendor": vendor.pk, "vendor_reference": "RMA-55012", "summary": "No power"},
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["vendor"] == vendor.pk
    assert body["vendor_reference"] == "RMA-55012"
    assert body["status"] == "open"
    assert dt.datetime.fromisoformat(body["opened_at"]) == TUESDAY_10
    assert dt.datetime.fromisoformat(body["next_update_due_at"]) == sh(2026, 11, 24, 12, 0)
    assert isinstance(body["id"], int)
    assert Ticket.objects.get(pk=ticket.pk).waiting_on == WaitingOn.VENDOR


def test_evidence_goes_by_attachment_id(api, ticket, alice, bob):
    # given
    [photo] = ticket_services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("no-power.jpg", b"jpeg")]
    )

    # when
    response = api(bob).post(
        cases_url(ticket),
        {"vendor": make_vendor().pk, "summary": "No power", "evidence": [photo.pk]},
        format="json",
    )

    # then
    assert response.status_code == 201
    assert response.json()["evidence"] == [photo.pk]


def test_the_case_list_shows_the_cases_with_their_updates(api, ticket, bob, dave):
    # given
    case = open_case(ticket, bob, TUESDAY_10)
    at(
        sh(2026, 11, 24, 11, 0),
        services.record_update,
        ticket.pk,
        case.pk,
        actor=bob,
        body="Courier booked",
    )

    # when: the engineer and the manager read it
    answers = [api(person).get(cases_url(ticket)) for person in (bob, dave)]

    # then
    for response in answers:
        assert response.status_code == 200
        [row] = response.json()
        assert row["id"] == case.pk
        assert row["vendor_name"] == "Lenovo Service"
        assert row["summary"].startswith("ThinkPad")
        assert [u["body"] for u in row["updates"]] == ["Courier booked"]
        assert row["updates"][0]["author"] == "bob"


def test_closing_ends_the_hold_and_answers_the_closed_case(api, ticket, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)
    url = f"{cases_url(ticket)}{case.pk}/close/"

    # when
    response = post_at(api(bob), sh(2026, 11, 24, 15, 10), url, {"outcome": "Board replaced"})
    again = api(bob).post(url, {}, format="json")

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["outcome"], body["closed_by"]) == (
        "closed",
        "Board replaced",
        "bob",
    )
    assert body["next_update_due_at"] is None
    assert Ticket.objects.get(pk=ticket.pk).waiting_on == WaitingOn.NONE
    assert again.status_code == 409


def test_recording_an_update_and_sharing_it(api, ticket, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)

    # when
    response = post_at(
        api(bob),
        sh(2026, 11, 24, 11, 0),
        f"{cases_url(ticket)}{case.pk}/updates/",
        {"body": "Part ships tonight", "share": True},
    )

    # then
    assert response.status_code == 201
    assert response.json()["body"] == "Part ships tonight"
    case.refresh_from_db()
    assert case.next_update_due_at == sh(2026, 11, 24, 13, 0)


# --- who may, and refusals ------------------------------------------------------------------


def test_an_outsider_learns_nothing(api, ticket, bob, carol):
    # given
    case = open_case(ticket, bob, TUESDAY_10)
    client = api(carol)

    # then
    assert client.get(cases_url(ticket)).status_code == 404
    assert client.post(cases_url(ticket), {}, format="json").status_code == 404
    assert client.post(f"{cases_url(ticket)}{case.pk}/close/", {}).status_code == 404
    assert client.post(f"{cases_url(ticket)}{case.pk}/updates/", {}).status_code == 404


def test_the_requester_is_refused_the_case_list_and_opening(api, ticket, alice):
    # when
    listed = api(alice).get(cases_url(ticket))
    opened = api(alice).post(
        cases_url(ticket), {"vendor": make_vendor().pk, "summary": "x"}, format="json"
    )

    # then
    assert listed.status_code == 403
    assert opened.status_code == 403
    assert not VendorCase.objects.exists()


def test_another_engineer_and_the_manager_may_not_open(api, ticket, erin, dave):
    # when / then
    for person in (erin, dave):
        response = api(person).post(
            cases_url(ticket), {"vendor": make_vendor().pk, "summary": "x"}, format="json"
        )
        assert response.status_code == 403


@pytest.mark.parametrize("vendor", [999_999, "abc", None, 0, -1, [1], {"id": 1}])
def test_a_bad_vendor_is_a_400_naming_vendor(api, ticket, bob, vendor):
    # when
    response = api(bob).post(cases_url(ticket), {"vendor": vendor, "summary": "x"}, format="json")

    # then
    assert response.status_code == 400
    assert "vendor" in response.json()
    assert not VendorCase.objects.exists()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({}, "summary"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"summary": "x", "vendor_reference": "R" * 101}, "vendor_reference"),
        ({"summary": "x", "evidence": ["a"]}, "evidence"),
        ({"summary": "x", "evidence": [123456]}, "evidence"),
    ],
)
def test_bad_input_names_the_field(api, ticket, bob, body, named):
    # when
    response = api(bob).post(cases_url(ticket), {"vendor": make_vendor().pk, **body}, format="json")

    # then
    assert response.status_code == 400
    assert named in response.json()


def test_wrong_state_is_409(api, alice, tom):
    # given: a ticket nobody accepted yet
    ticket = make_ticket(requester=alice)

    # when
    response = api(tom).post(
        cases_url(ticket), {"vendor": make_vendor().pk, "summary": "x"}, format="json"
    )

    # then
    assert response.status_code == 409
    assert "detail" in response.json()


def test_a_second_open_case_is_409(api, ticket, bob):
    # given
    open_case(ticket, bob, TUESDAY_10)

    # when
    response = api(bob).post(
        cases_url(ticket), {"vendor": make_vendor("Dell").pk, "summary": "x"}, format="json"
    )

    # then
    assert response.status_code == 409


def test_an_unknown_case_is_404(api, ticket, bob):
    # when / then
    assert api(bob).post(f"{cases_url(ticket)}424242/close/", {}).status_code == 404


# --- a fixed number of queries ------------------------------------------------------------------


def test_the_case_list_runs_the_same_queries_for_1_and_4_cases(
    api, ticket, alice, bob, django_assert_max_num_queries
):
    # given: each case with evidence and updates
    client = api(bob)
    [photo] = ticket_services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("photo.jpg", b"jpeg")]
    )

    def add_case(hour: int) -> None:
        case = services.open_case(
            ticket.pk,
            actor=bob,
            vendor=make_vendor(f"V{hour}").pk,
            summary="x",
            evidence=[photo.pk],
        )
        for n in range(3):
            services.record_update(ticket.pk, case.pk, actor=bob, body=f"news {n}")
        services.close_case(ticket.pk, case.pk, actor=bob)

    add_case(1)
    assert client.get(cases_url(ticket)).status_code == 200  # warm up

    # when
    with django_assert_max_num_queries(8) as one:
        small = client.get(cases_url(ticket))
    for hour in (2, 3, 4):
        add_case(hour)
    with django_assert_max_num_queries(8) as four:
        large = client.get(cases_url(ticket))

    # then
    assert len(small.json()) == 1
    assert len(large.json()) == 4
    assert len(one) == len(four)


# --- vendors --------------------------------------------------------------------------------


def test_engineers_read_the_vendor_list_requesters_do_not(api, bob, dave, alice):
    # given
    make_vendor("Lenovo Service")
    make_vendor("Cisco TAC")

    # when
    listed = api(bob).get("/api/v1/vendors/")

    # then: by name
    assert listed.status_code == 200
    assert [v["name"] for v in listed.json()["results"]] == ["Cisco TAC", "Lenovo Service"]
    assert api(dave).get("/api/v1/vendors/").status_code == 200
    assert api(alice).get("/api/v1/vendors/").status_code == 403


def test_a_tech_lead_adds_a_vendor_with_a_name_only(api, tom):
    # when
    response = api(tom).post("/api/v1/vendors/", {"name": "H3C 400 hotline"}, format="json")

    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["contacts"], body["is_active"]) == ("H3C 400 hotline", "", True)


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": "A\nB"}]
)
def test_a_vendor_needs_a_name(api, tom, body):
    # when
    response = api(tom).post("/api/v1/vendors/", body, format="json")

    # then
    assert response.status_code == 400
    assert "name" in response.json()


def test_vendor_names_are_unique_whatever_the_case(api, tom):
    # given
    make_vendor("Lenovo Service")

    # when
    response = api(tom).post("/api/v1/vendors/", {"name": "lenovo service"}, format="json")

    # then
    assert response.status_code == 400
    assert "name" in response.json()


def test_engineers_and_managers_may_not_add_or_change_vendors(api, bob, dave):
    # given
    vendor = make_vendor()

    # then
    for person in (bob, dave):
        assert api(person).post("/api/v1/vendors/", {"name": "X"}, format="json").status_code == 403
        changed = api(person).patch(f"/api/v1/vendors/{vendor.pk}/", {"name": "Y"}, format="json")
        assert changed.status_code == 403
    assert Vendor.objects.get(pk=vendor.pk).name == "Lenovo Service"


def test_a_tech_lead_changes_a_vendor(api, tom, bob):
    # given
    vendor = make_vendor()

    # when
    response = api(tom).patch(
        f"/api/v1/vendors/{vendor.pk}/",
        {"contacts": "Hotline 400-990-8888", "is_active": False},
        format="json",
    )

    # then: only the fields given change
    assert response.status_code == 200
    vendor.refresh_from_db()
    assert (vendor.name, vendor.contacts, vendor.is_active) == (
        "Lenovo Service",
        "Hotline 400-990-8888",
        False,
    )
    assert api(bob).get(f"/api/v1/vendors/{vendor.pk}/").json()["is_active"] is False
    assert api(tom).get("/api/v1/vendors/999999/").status_code == 404
