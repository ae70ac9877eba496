"""Vendor cases through their services: the hold, one open case at a time, what is refused,
what the requester hears, and what goes on the timeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from notifications.models import Notification
from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import EventKind, MessageKind, TicketState, WaitingOn
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Message, Ticket, TicketEvent
from tickets.services import watchers
from tickets.tests.factories import DIAGNOSIS, make_ticket, snapshot
from vendors import services
from vendors.choices import CaseEntry, CaseStatus, VendorNotice
from vendors.errors import CaseNotFound
from vendors.models import VendorCase, VendorCaseUpdate
from vendors.tests.factories import accepted_ticket, at, make_vendor, open_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

TUESDAY_9 = sh(2026, 11, 24, 9, 0)
TUESDAY_10 = sh(2026, 11, 24, 10, 0)


@pytest.fixture
def ticket(alice, bob) -> Ticket:
    return accepted_ticket(alice, bob, TUESDAY_9)


def test_opening_a_case_holds_the_ticket_like_a_question_to_the_requester(ticket, bob):
    # when
    case = open_case(ticket, bob, TUESDAY_10)

    # then: waits on the vendor, resolution clock paused, the sweep has nothing to watch
    ticket.refresh_from_db()
    assert ticket.waiting_on == WaitingOn.VENDOR
    assert ticket.sla_paused_at == TUESDAY_10
    assert ticket.sla_next_check_at is None
    paused = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_PAUSED)
    assert paused.data["reason"] == "waiting_on_vendor"
    assert case.status == CaseStatus.OPEN
    assert (case.opened_by, case.opened_at, case.last_update_at) == (bob, TUESDAY_10, TUESDAY_10)
    assert case.vendor_reference == "RMA-55012"


def test_the_opening_is_public_with_the_vendors_name_only(ticket, bob):
    # when
    case = open_case(ticket, bob, TUESDAY_10)

    # then: the requester's timeline says who holds the ticket up, nothing of the case
    entry = TicketEvent.objects.get(ticket=ticket, kind=CaseEntry.OPENED)
    assert not entry.is_internal
    assert entry.data == {"case": case.pk, "vendor": "Lenovo Service"}


def test_the_requester_and_followers_hear_that_the_ticket_waits_on_a_vendor(
    ticket, alice, bob, carol
):
    # given: carol follows alice's ticket, and so does bob himself
    watchers.add_watcher(ticket.pk, actor=alice, user="carol")
    watchers.add_watcher(ticket.pk, actor=bob, user="bob")

    # when
    open_case(ticket, bob, TUESDAY_10)

    # then: never the engineer who opened it
    told = set(
        Notification.objects.filter(kind=VendorNotice.CASE_OPENED).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"alice", "carol"}
    notice = Notification.objects.filter(kind=VendorNotice.CASE_OPENED).first()
    assert notice is not None
    assert notice.payload["vendor"] == "Lenovo Service"


def test_one_case_is_open_at_a_time(ticket, bob):
    # given
    first = open_case(ticket, bob, TUESDAY_10)
    other = make_vendor("Cisco TAC")

    # when / then
    with pytest.raises(InvalidTransition):
        open_case(ticket, bob, sh(2026, 11, 24, 10, 30), vendor=other)
    at(sh(2026, 11, 24, 11, 0), services.close_case, ticket.pk, first.pk, actor=bob)
    second = open_case(ticket, bob, sh(2026, 11, 24, 11, 30), vendor=other)
    assert second.vendor == other
    assert Ticket.objects.get(pk=ticket.pk).waiting_on == WaitingOn.VENDOR


@pytest.mark.parametrize("state", [TicketState.SUBMITTED, TicketState.RESOLVED])
def test_a_case_needs_an_accepted_or_diagnosed_ticket(alice, bob, tom, state):
    # given
    ticket = make_ticket(requester=alice)
    if state == TicketState.RESOLVED:
        ticket_services.accept_ticket(ticket.pk, actor=bob)
        ticket_services.diagnose_ticket(ticket.pk, actor=bob, **DIAGNOSIS)
        ticket_services.resolve_ticket(ticket.pk, actor=bob, solution="Done")
    before = snapshot(ticket)

    # when / then: the tech lead may work cases, but not on a ticket in this state
    with pytest.raises(InvalidTransition):
        services.open_case(ticket.pk, actor=tom, vendor=make_vendor().pk, summary="x")
    assert snapshot(ticket) == before
    assert not VendorCase.objects.exists()


def test_a_diagnosed_ticket_may_wait_on_a_vendor(ticket, bob):
    # given
    ticket_services.diagnose_ticket(ticket.pk, actor=bob, **DIAGNOSIS)

    # when
    case = services.open_case(ticket.pk, actor=bob, vendor=make_vendor().pk, summary="Part")

    # then
    assert case.status == CaseStatus.OPEN


def test_no_case_while_the_ticket_waits_on_the_requester(ticket, bob):
    # given
    ticket_services.request_info(ticket.pk, actor=bob, question="Which laptop?")

    # when / then
    with pytest.raises(InvalidTransition):
        services.open_case(ticket.pk, actor=bob, vendor=make_vendor().pk, summary="x")


def test_no_question_to_the_requester_while_the_ticket_waits_on_a_vendor(ticket, bob):
    # given: one hold at a time (the requester's answer would end the vendor's hold)
    open_case(ticket, bob, TUESDAY_10)

    # when / then
    with pytest.raises(InvalidTransition):
        ticket_services.request_info(ticket.pk, actor=bob, question="Which laptop?")
    assert Ticket.objects.get(pk=ticket.pk).waiting_on == WaitingOn.VENDOR


def test_resolving_waits_for_the_vendor_case_to_close(ticket, bob):
    # given
    ticket_services.diagnose_ticket(ticket.pk, actor=bob, **DIAGNOSIS)
    case = services.open_case(ticket.pk, actor=bob, vendor=make_vendor().pk, summary="Part")

    # when / then
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        ticket_services.resolve_ticket(ticket.pk, actor=bob, solution="Vendor swapped the board")
    assert "vendor case is still open" in refused.value.message_dict["solution"][0]
    services.close_case(ticket.pk, case.pk, actor=bob, outcome="Board swapped")
    resolved = ticket_services.resolve_ticket(ticket.pk, actor=bob, solution="Board swapped")
    assert resolved.state == TicketState.RESOLVED


def test_who_works_a_case(ticket, alice, bob, erin, tom, dave, carol):
    # given
    vendor = make_vendor().pk

    # then: the assignee and a tech lead; not another engineer, the manager or the requester
    for person in (erin, dave, alice):
        with pytest.raises(ActionForbidden):
            services.open_case(ticket.pk, actor=person, vendor=vendor, summary="x")
    with pytest.raises(TicketNotFound):
        services.open_case(ticket.pk, actor=carol, vendor=vendor, summary="x")
    case = services.open_case(ticket.pk, actor=tom, vendor=vendor, summary="By the lead")
    with pytest.raises(ActionForbidden):
        services.close_case(ticket.pk, case.pk, actor=erin)
    with pytest.raises(ActionForbidden):
        services.record_update(ticket.pk, case.pk, actor=alice, body="x")
    services.close_case(ticket.pk, case.pk, actor=bob)


@pytest.mark.parametrize("vendor", [0, 999_999, "abc", None, "", "1; DROP TABLE x", -3])
def test_an_unknown_vendor_names_the_field(ticket, bob, vendor):
    # when / then
    with pytest.raises(ValidationError) as refused:
        services.open_case(ticket.pk, actor=bob, vendor=vendor, summary="x")
    assert set(refused.value.message_dict) == {"vendor"}


def test_an_inactive_vendor_is_not_offered(ticket, bob):
    # given
    retired = make_vendor("Old Printers Ltd", is_active=False)

    # when / then
    with pytest.raises(ValidationError) as refused:
        services.open_case(ticket.pk, actor=bob, vendor=retired.pk, summary="x")
    assert set(refused.value.message_dict) == {"vendor"}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"vendor_reference": "R" * 101}, "vendor_reference"),
        ({"vendor_reference": "RMA\nBcc: x@example.com"}, "vendor_reference"),
        ({"summary": "ok\x00"}, "summary"),
    ],
)
def test_bad_text_names_its_field(ticket, bob, fields, named):
    # when / then
    with pytest.raises(ValidationError) as refused:
        services.open_case(
            ticket.pk, actor=bob, vendor=make_vendor().pk, **{"summary": "Part", **fields}
        )
    assert set(refused.value.message_dict) == {named}


def test_evidence_is_chosen_among_the_tickets_own_files(ticket, alice, bob):
    # given: a file on this ticket and one on another ticket of alice's
    [photo] = ticket_services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("no-power.jpg", b"jpeg")]
    )
    other = make_ticket(requester=alice)
    [foreign] = ticket_services.add_attachments(
        other.pk, actor=alice, files=[SimpleUploadedFile("other.txt", b"x")]
    )

    # when / then
    with pytest.raises(ValidationError) as refused:
        services.open_case(
            ticket.pk, actor=bob, vendor=make_vendor().pk, summary="x", evidence=[foreign.pk]
        )
    assert set(refused.value.message_dict) == {"evidence"}
    case = services.open_case(
        ticket.pk, actor=bob, vendor=make_vendor().pk, summary="x", evidence=[photo.pk]
    )
    assert list(case.evidence.all()) == [photo]


def test_what_the_vendor_said_stays_internal_unless_shared(ticket, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)

    # when: one update kept for the desk, one passed on to the requester
    at(
        sh(2026, 11, 24, 10, 30),
        services.record_update,
        ticket.pk,
        case.pk,
        actor=bob,
        body="Engineer visit booked for Thursday",
    )
    at(
        sh(2026, 11, 24, 11, 0),
        services.record_update,
        ticket.pk,
        case.pk,
        actor=bob,
        body="The part left the warehouse",
        share=True,
    )

    # then
    assert list(VendorCaseUpdate.objects.values_list("body", flat=True)) == [
        "Engineer visit booked for Thursday",
        "The part left the warehouse",
    ]
    entries = TicketEvent.objects.filter(ticket=ticket, kind=CaseEntry.UPDATE_RECORDED)
    assert [e.is_internal for e in entries] == [True, True]
    public = Message.objects.get(ticket=ticket, kind=MessageKind.PUBLIC)
    assert public.body == "The part left the warehouse"
    case.refresh_from_db()
    assert case.next_update_due_at == sh(2026, 11, 24, 13, 0)


def test_a_closed_case_takes_no_updates_and_closes_once(ticket, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)
    services.close_case(ticket.pk, case.pk, actor=bob)

    # when / then
    with pytest.raises(InvalidTransition):
        services.close_case(ticket.pk, case.pk, actor=bob)
    with pytest.raises(InvalidTransition):
        services.record_update(ticket.pk, case.pk, actor=bob, body="late news")
    assert TicketEvent.objects.filter(ticket=ticket, kind=CaseEntry.CLOSED).count() == 1


def test_closing_is_public_and_keeps_the_outcome_for_the_desk(ticket, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)

    # when
    at(
        sh(2026, 11, 24, 15, 0),
        services.close_case,
        ticket.pk,
        case.pk,
        actor=bob,
        outcome="Vendor replaced the mainboard",
    )

    # then
    case.refresh_from_db()
    assert (case.closed_by, case.closed_at, case.close_note) == (
        bob,
        sh(2026, 11, 24, 15, 0),
        "Vendor replaced the mainboard",
    )
    entry = TicketEvent.objects.get(ticket=ticket, kind=CaseEntry.CLOSED)
    assert not entry.is_internal
    assert entry.data == {"case": case.pk, "vendor": "Lenovo Service"}


def test_a_case_of_another_ticket_is_not_found(ticket, alice, bob):
    # given
    case = open_case(ticket, bob, TUESDAY_10)
    other = accepted_ticket(alice, bob, TUESDAY_9)

    # when / then
    with pytest.raises(CaseNotFound):
        services.close_case(other.pk, case.pk, actor=bob)
    assert VendorCase.objects.get(pk=case.pk).status == CaseStatus.OPEN
