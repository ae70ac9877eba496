"""The fact table follows the tickets exactly, whatever writes them (the trigger of
``reports.0002``), and the working minutes are what the clocks and the backfill say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from reports.models import TicketFact
from reports.tests.factories_engine import MEDIUM, at, october
from tests.clock import sh
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import DIAGNOSIS, make_category, make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

COPIED = [
    "submitted_at",
    "priority",
    "category_id",
    "site_id",
    "channel",
    "assignee_id",
    "state",
    "closed_as",
    "response_due_at",
    "accepted_at",
    "resolution_due_at",
    "resolved_at",
    "response_minutes",
    "resolution_minutes",
    "reopen_count",
]


def assert_fact_matches(ticket_id: int) -> TicketFact:
    ticket = Ticket.objects.get(pk=ticket_id)
    fact = TicketFact.objects.get(pk=ticket_id)
    for name in COPIED:
        assert getattr(fact, name) == getattr(ticket, name), name
    finished = [t for t in (ticket.verified_at, ticket.closed_at) if t is not None]
    assert fact.finished_at == (min(finished) if finished else None)
    assert fact.on_hold == (ticket.sla_paused_at is not None)
    return fact


def test_every_step_of_a_ticket_reaches_its_fact(alice, bob):
    # given: filed Monday 09:00
    ticket = at(sh(2026, 11, 23, 9, 0), make_ticket, requester=alice, **MEDIUM)
    assert_fact_matches(ticket.pk)

    # when / then: each service's write is in the fact at once
    at(sh(2026, 11, 23, 9, 12), services.accept_ticket, ticket.pk, actor=bob)
    assert assert_fact_matches(ticket.pk).response_minutes == 12
    at(sh(2026, 11, 23, 10, 0), services.request_info, ticket.pk, actor=bob, question="?")
    assert assert_fact_matches(ticket.pk).on_hold is True
    at(sh(2026, 11, 23, 11, 0), services.add_message, ticket.pk, actor=alice, body="PC-1")
    assert assert_fact_matches(ticket.pk).on_hold is False
    at(sh(2026, 11, 23, 11, 30), services.diagnose_ticket, ticket.pk, actor=bob, **DIAGNOSIS)
    at(sh(2026, 11, 23, 14, 0), services.resolve_ticket, ticket.pk, actor=bob, solution="Done")
    # 09:00 → 14:00 is 300 working minutes, 60 of them on hold
    assert assert_fact_matches(ticket.pk).resolution_minutes == 240
    at(sh(2026, 11, 23, 15, 0), services.reject_fix, ticket.pk, actor=alice, reason="No")
    rejected = assert_fact_matches(ticket.pk)
    assert (rejected.resolved_at, rejected.resolution_minutes, rejected.reopen_count) == (
        None,
        None,
        1,
    )
    at(sh(2026, 11, 23, 16, 0), services.resolve_ticket, ticket.pk, actor=bob, solution="Again")
    # 420 working minutes, 60 on hold and 60 awaiting the first verification
    assert assert_fact_matches(ticket.pk).resolution_minutes == 300
    at(sh(2026, 11, 23, 16, 30), services.verify_ticket, ticket.pk, actor=alice)
    assert assert_fact_matches(ticket.pk).finished_at == sh(2026, 11, 23, 16, 30)


def test_a_hold_still_open_at_the_fix_is_left_out(alice, bob):
    # given: accepted Monday 09:05, waiting on alice since 10:00
    ticket = at(sh(2026, 11, 23, 9, 0), make_ticket, requester=alice, **MEDIUM)
    at(sh(2026, 11, 23, 9, 5), services.accept_ticket, ticket.pk, actor=bob)
    at(sh(2026, 11, 23, 9, 30), services.diagnose_ticket, ticket.pk, actor=bob, **DIAGNOSIS)
    at(sh(2026, 11, 23, 10, 0), services.request_info, ticket.pk, actor=bob, question="?")

    # when: bob fixes it at 13:00 without an answer
    at(sh(2026, 11, 23, 13, 0), services.resolve_ticket, ticket.pk, actor=bob, solution="Done")

    # then: 240 working minutes, 180 of them waiting on alice
    assert Ticket.objects.get(pk=ticket.pk).resolution_minutes == 60
    assert_fact_matches(ticket.pk)


def test_queryset_update_bulk_create_and_raw_sql_reach_the_facts(alice):
    # given
    ticket = make_ticket(requester=alice)

    # when: an update that bypasses the services
    Ticket.objects.filter(pk=ticket.pk).update(priority="high", channel="phone")

    # then
    fact = assert_fact_matches(ticket.pk)
    assert (fact.priority, fact.channel) == ("high", "phone")

    # when: rows inserted in bulk
    now = timezone.now()
    copies = Ticket.objects.bulk_create(
        [
            Ticket(
                number=f"BULK-{i}",
                title="Bulk",
                description="Bulk",
                channel="api",
                requester=alice,
                category=make_category(),
                impact="single",
                urgency="abnormal",
                priority="low",
                submitted_at=now,
                last_activity_at=now,
            )
            for i in range(3)
        ]
    )

    # then
    for copy in copies:
        assert_fact_matches(copy.pk)

    # when: raw SQL
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_ticket SET reopen_count = 4 WHERE id = %s", [ticket.pk])

    # then
    assert assert_fact_matches(ticket.pk).reopen_count == 4


def test_a_rolled_back_change_rolls_back_its_fact(alice, bob):
    # given
    ticket = make_ticket(requester=alice)

    # when: the transaction fails after the ticket was accepted
    with pytest.raises(RuntimeError), transaction.atomic():
        services.accept_ticket(ticket.pk, actor=bob)
        assert TicketFact.objects.get(pk=ticket.pk).state == "accepted"
        raise RuntimeError("boom")

    # then
    assert TicketFact.objects.get(pk=ticket.pk).state == "submitted"
    assert_fact_matches(ticket.pk)


def test_deleting_a_ticket_deletes_its_fact(alice):
    # given
    kept, gone, raw = (make_ticket(requester=alice) for _ in range(3))

    # when
    Ticket.objects.filter(pk=gone.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tickets_ticketevent WHERE ticket_id = %s", [raw.pk])
        cursor.execute("DELETE FROM tickets_ticket WHERE id = %s", [raw.pk])

    # then
    assert list(TicketFact.objects.values_list("pk", flat=True)) == [kept.pk]


def test_refresh_rebuilds_missing_or_wrong_facts(alice, bob):
    # given: facts lost or wrong (as after a load with triggers off)
    tickets = [make_ticket(requester=alice) for _ in range(3)]
    services.accept_ticket(tickets[0].pk, actor=bob)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM reports_ticketfact WHERE ticket_id = %s", [tickets[1].pk])
        cursor.execute(
            "UPDATE tickets_ticket SET state = 'closed', closed_as = 'cancelled' WHERE id = %s",
            [tickets[2].pk],
        )
        cursor.execute("SET session_replication_role = origin")
        assert TicketFact.objects.get(pk=tickets[2].pk).state == "submitted"

        # when
        cursor.execute("SELECT reports_ticketfact_refresh(0, 9223372036854775807)")

    # then
    for ticket in tickets:
        assert_fact_matches(ticket.pk)


def test_backfill_command_finds_the_minutes_the_clocks_found(alice, bob, erin, tom):
    # given: October's tickets (holds, a vendor case, a priority change, a rejected fix,
    # a holiday), their minutes forgotten as if accepted before tickets.0019
    desk = october(alice, bob, erin, tom)
    kept = dict(Ticket.objects.values_list("pk", "response_minutes"))
    kept_resolution = dict(Ticket.objects.values_list("pk", "resolution_minutes"))
    Ticket.objects.update(response_minutes=None, resolution_minutes=None)
    assert TicketFact.objects.filter(response_minutes__isnull=False).count() == 0

    # when
    call_command("backfill_report_minutes", "--batch-size", "3", stdout=_Sink())

    # then: the same numbers, in the tickets and their facts
    assert dict(Ticket.objects.values_list("pk", "response_minutes")) == kept
    assert dict(Ticket.objects.values_list("pk", "resolution_minutes")) == kept_resolution
    assert kept_resolution[desk.tickets["T3"].pk] == 600
    for ticket in desk.tickets.values():
        assert_fact_matches(ticket.pk)


def test_backfill_leaves_rows_that_have_their_minutes(alice, bob):
    # given: a value the command would not compute (written by hand)
    ticket = at(sh(2026, 11, 23, 9, 0), make_ticket, requester=alice, **MEDIUM)
    at(sh(2026, 11, 23, 9, 12), services.accept_ticket, ticket.pk, actor=bob)
    Ticket.objects.filter(pk=ticket.pk).update(response_minutes=99)

    # when
    call_command("backfill_report_minutes", stdout=_Sink())

    # then
    assert Ticket.objects.get(pk=ticket.pk).response_minutes == 99


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def test_minutes_of_a_ticket_accepted_over_a_weekend(alice, bob):
    # given: filed Friday 17:50 (medium, working hours)
    ticket = at(sh(2026, 11, 20, 17, 50), make_ticket, requester=alice, **MEDIUM)

    # when: accepted Monday 09:15
    at(sh(2026, 11, 23, 9, 15), services.accept_ticket, ticket.pk, actor=bob)

    # then: 10 minutes on Friday and 15 on Monday; the wall clock says 63 h 25 min
    fact = assert_fact_matches(ticket.pk)
    assert fact.response_minutes == 25
    assert fact.accepted_at - fact.submitted_at == dt.timedelta(hours=63, minutes=25)
