"""The open load table (``EngineerLoad``) kept by a trigger on the tickets: after every kind
of write it equals a fresh count of the open tickets, weighted by priority."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Case, Count, IntegerField, Sum, Value, When

from people.models import EngineerLoad
from people.selectors import LOAD_WEIGHTS, Load
from tickets import services
from tickets.choices import OPEN_STATES, Priority, TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket, move_to

pytestmark = pytest.mark.django_db


def _table() -> dict[int, Load]:
    return {
        row.engineer_id: Load(row.open_tickets, row.weighted)
        for row in EngineerLoad.objects.all()
        if row.open_tickets or row.weighted
    }


def counted_loads() -> dict[int, Load]:
    """Every engineer's load counted from the tickets themselves: what the table must equal."""
    weight = Case(
        *(When(priority=p, then=Value(w)) for p, w in LOAD_WEIGHTS.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = (
        Ticket.objects.filter(assignee__isnull=False, state__in=sorted(OPEN_STATES))
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("pk"), w=Sum(weight))
        .values_list("assignee_id", "n", "w")
    )
    return {assignee: Load(n, w) for assignee, n, w in rows}


def test_the_weights_are_the_triggers():
    assert LOAD_WEIGHTS == {Priority.HIGH: 3, Priority.MEDIUM: 2, Priority.LOW: 1}


def test_the_table_follows_every_write_to_a_ticket(alice, bob, erin, tom):
    # given: three tickets, two of them bob's
    first = make_ticket(requester=alice)  # medium
    second = make_ticket(requester=alice)
    third = make_ticket(requester=alice)
    services.assign_ticket(first.pk, actor=tom, assignee=bob, reason="printers")
    services.accept_ticket(second.pk, actor=bob)
    assert _table() == {bob.pk: Load(2, 4)} == counted_loads()

    # when: moved between open states (nothing to count), reprioritised, reassigned
    move_to(Ticket.objects.get(pk=second.pk), TicketState.DIAGNOSED, engineer=bob)
    services.change_priority(first.pk, actor=tom, priority=Priority.HIGH, reason="floor down")
    services.assign_ticket(first.pk, actor=tom, assignee=erin, reason="bob is out")
    services.accept_ticket(third.pk, actor=erin)

    # then
    assert _table() == {bob.pk: Load(1, 2), erin.pk: Load(2, 5)} == counted_loads()

    # when: one leaves the open states, one is cancelled, one deleted by SQL
    move_to(Ticket.objects.get(pk=second.pk), TicketState.VERIFIED, engineer=bob)
    services.cancel_ticket(third.pk, actor=erin, reason="Works again")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tickets_ticketevent WHERE ticket_id = %s", [first.pk])
        cursor.execute("DELETE FROM tickets_ticket WHERE id = %s", [first.pk])

    # then
    assert _table() == {} == counted_loads()


def test_the_refresh_recounts_after_writes_that_skip_the_trigger(alice, bob):
    # given: a ticket of bob's, then the table emptied behind the trigger's back
    ticket = make_ticket(requester=alice)
    services.accept_ticket(ticket.pk, actor=bob)
    EngineerLoad.objects.all().delete()

    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT people_engineerload_refresh()")

    # then
    assert _table() == {bob.pk: Load(1, 2)} == counted_loads()
