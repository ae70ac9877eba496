"""The vendor pages and the ticket page's vendor-case panel, through the Django client."""

from __future__ import annotations

import re

import pytest
import time_machine

from tests.clock import sh
from tickets.models import Ticket
from vendors.models import Vendor, VendorCase
from vendors.services import record_update
from vendors.tests.factories import accepted_ticket, at, make_vendor, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

TUESDAY_10 = sh(2026, 11, 24, 10, 0)


@pytest.fixture
def web(web):
    """The conftest's ``web(user)``, reading the pages in English."""

    def login(user):
        client = web(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def ticket(alice, bob) -> Ticket:
    return accepted_ticket(alice, bob, sh(2026, 11, 24, 9, 0))


def page(client, url: str, moment=TUESDAY_10):
    with time_machine.travel(moment, tick=False):
        return client.get(url)


# --- the vendor list ------------------------------------------------------------------------


def test_the_vendor_list_is_read_by_engineers_and_kept_by_tech_leads(web, bob, tom, alice):
    # given
    make_vendor("Lenovo Service", contacts="400-990-8888")

    # when
    engineer = web(bob).get("/vendors/")
    lead = web(tom).get("/vendors/")

    # then
    assert engineer.status_code == lead.status_code == 200
    assert "Lenovo Service" in engineer.content.decode()
    assert 'id="vendor-form"' not in engineer.content.decode()
    assert 'id="vendor-form"' in lead.content.decode()
    assert web(alice).get("/vendors/").status_code == 403


def test_a_tech_lead_adds_and_edits_a_vendor(web, tom):
    # given
    client = web(tom)

    # when
    added = client.post("/vendors/", {"name": "Hikvision 售后", "is_active": "on"})
    vendor = Vendor.objects.get(name="Hikvision 售后")
    edited = client.post(
        f"/vendors/{vendor.pk}/",
        {"name": "Hikvision 售后", "contacts": "400-700-5998", "warranty_reference": "W-7788"},
    )

    # then
    assert added.status_code == edited.status_code == 302
    vendor.refresh_from_db()
    assert (vendor.contacts, vendor.warranty_reference, vendor.is_active) == (
        "400-700-5998",
        "W-7788",
        False,
    )


def test_a_bad_vendor_form_shows_the_error_beside_the_name(web, tom):
    # given
    make_vendor("Lenovo Service")

    # when
    response = web(tom).post("/vendors/", {"name": "LENOVO SERVICE"})

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="vendor_name"[^>]*is-invalid|is-invalid[^>]*id="vendor_name"', html)
    assert Vendor.objects.count() == 1


def test_engineers_may_not_add_or_edit_vendors(web, bob):
    # given
    vendor = make_vendor()

    # then
    assert web(bob).post("/vendors/", {"name": "X"}).status_code == 403
    assert web(bob).get(f"/vendors/{vendor.pk}/").status_code == 403
    assert web(bob).post(f"/vendors/{vendor.pk}/", {"name": "X"}).status_code == 403
    assert not Vendor.objects.filter(name="X").exists()


# --- the ticket page ------------------------------------------------------------------------


def test_the_engineer_opens_a_case_from_the_ticket_page(web, ticket, bob):
    # given
    vendor = make_vendor()
    client = web(bob)
    before = page(client, f"/tickets/{ticket.number}/").content.decode()
    assert 'id="vendor-open-form"' in before

    # when
    with time_machine.travel(TUESDAY_10, tick=False):
        response = client.post(
            f"/vendors/tickets/{ticket.number}/cases/",
            {"vendor": vendor.pk, "vendor_reference": "RMA-55012", "summary": "No power"},
        )

    # then: back on the ticket, the case with its next update due at 12:00
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/#vendor-cases"
    html = page(client, f"/tickets/{ticket.number}/", sh(2026, 11, 24, 10, 30)).content.decode()
    assert "RMA-55012" in html
    assert "2026-11-24 12:00" in html
    assert 'data-clock="running"' in html
    assert "Waiting on vendor" in html
    assert 'id="vendor-open-form"' not in html  # one open case at a time


def test_the_next_update_turns_red_once_overdue(web, ticket, bob):
    # given
    open_case(ticket, bob, TUESDAY_10)

    # when
    html = page(web(bob), f"/tickets/{ticket.number}/", sh(2026, 11, 24, 12, 5)).content.decode()

    # then
    assert 'data-clock="breached"' in html
    assert "late by 5 min" in html


def test_a_bad_case_form_shows_the_error_in_the_panel(web, ticket, bob):
    # when
    response = web(bob).post(f"/vendors/tickets/{ticket.number}/cases/", {"summary": "x"})

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="vcase_vendor"[^>]*is-invalid|is-invalid[^>]*id="vcase_vendor"', html)
    assert not VendorCase.objects.exists()


def test_opening_twice_is_a_conflict_shown_on_the_page(web, ticket, bob):
    # given
    open_case(ticket, bob, TUESDAY_10)

    # when
    response = web(bob).post(
        f"/vendors/tickets/{ticket.number}/cases/",
        {"vendor": make_vendor("Dell").pk, "summary": "x"},
    )

    # then
    assert response.status_code == 409
    assert "already" in response.content.decode()


def test_recording_an_update_and_closing_from_the_page(web, ticket, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)
    client = web(bob)

    # when
    updated = client.post(
        f"/vendors/tickets/{ticket.number}/cases/{case.pk}/update/",
        {"body": "Courier collects the laptop at 15:00"},
    )
    closed = client.post(
        f"/vendors/tickets/{ticket.number}/cases/{case.pk}/close/",
        {"outcome": "Mainboard replaced"},
    )

    # then
    assert updated.status_code == closed.status_code == 302
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Courier collects the laptop at 15:00" in html
    assert "Mainboard replaced" in html
    assert Ticket.objects.get(pk=ticket.pk).waiting_on == "none"


def test_the_requester_sees_who_the_ticket_waits_on_and_nothing_of_the_case(
    web, ticket, alice, bob
):
    # given
    case = open_case(ticket, bob, TUESDAY_10, summary="Internal: warranty expired in May")
    at(
        sh(2026, 11, 24, 10, 20),
        record_update,
        ticket.pk,
        case.pk,
        actor=bob,
        body="Vendor: 3 days",
    )

    # when
    response = page(web(alice), f"/tickets/{ticket.number}/", sh(2026, 11, 24, 10, 30))

    # then
    html = response.content.decode()
    assert 'id="vendor-wait"' in html
    assert "Waiting on the vendor Lenovo Service" in html
    assert "every 2 working hours" in html
    assert "2026-11-24 12:00" in html
    for secret in ("RMA-55012", "warranty expired", "Vendor: 3 days", 'id="vendor-cases"'):
        assert secret not in html


def test_the_requester_may_not_act_on_cases(web, ticket, alice, bob, carol):
    # given
    case = open_case(ticket, bob, TUESDAY_10)

    # then
    base = f"/vendors/tickets/{ticket.number}/cases/"
    assert web(alice).post(base, {"vendor": make_vendor().pk, "summary": "x"}).status_code == 403
    assert web(alice).post(f"{base}{case.pk}/close/", {}).status_code == 403
    assert web(carol).post(f"{base}{case.pk}/close/", {}).status_code == 404
    assert VendorCase.objects.get(pk=case.pk).status == "open"


def test_the_panel_runs_the_same_queries_for_1_and_4_cases(
    web, ticket, alice, bob, django_assert_max_num_queries
):
    # given
    from vendors.services import close_case

    client = web(bob)

    def add_case(n: int) -> None:
        case = open_case(ticket, bob, TUESDAY_10, vendor=make_vendor(f"Vendor {n}"))
        for i in range(3):
            record_update(ticket.pk, case.pk, actor=bob, body=f"news {i}")
        close_case(ticket.pk, case.pk, actor=bob)

    add_case(1)
    assert client.get(f"/tickets/{ticket.number}/").status_code == 200

    # when
    with django_assert_max_num_queries(60) as one:
        client.get(f"/tickets/{ticket.number}/")
    for n in (2, 3, 4):
        add_case(n)
    with django_assert_max_num_queries(60) as four:
        html = client.get(f"/tickets/{ticket.number}/").content.decode()

    # then
    assert html.count('data-status="closed"') == 4
    assert len(one) == len(four)
