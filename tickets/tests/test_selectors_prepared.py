"""Reads compiled once per process (``tickets.selectors_prepared``): the same rows as the
queryset they are built from, refused when their SQL would not stay the same, several of
them in one round trip, and prepared statements that recover when the database forgot
them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets.models import Ticket, TicketEvent
from tickets.selectors_prepared import Prepared, batched
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _by_number(number: str) -> QuerySet[Ticket]:
    return (
        Ticket.objects.select_related("requester", "assignee", "category")
        .filter(number=number)
        .order_by("pk")
    )


def _events(ticket_id: int, since: dt.datetime) -> QuerySet[TicketEvent]:
    return (
        TicketEvent.objects.filter(ticket_id=ticket_id, at__gte=since)
        .select_related("actor")
        .order_by("at", "pk")
    )


BY_NUMBER = Prepared(_by_number, str)
EVENTS = Prepared(_events, int, dt.datetime)


def test_a_prepared_read_answers_what_its_queryset_answers(alice, bob):
    # given
    ticket = make_ticket(requester=alice)
    since = timezone.now() - dt.timedelta(days=1)

    # when
    found = BY_NUMBER.first(ticket.number)
    events = EVENTS.objects(ticket.pk, since)

    # then: the same rows, their related rows joined (no query when read)
    assert found == ticket
    assert found is not None
    with CaptureQueriesContext(connection) as later:
        assert found.requester.name == alice.name
        assert found.category.pk == ticket.category_id
    assert len(later.captured_queries) == 0
    assert events == list(_events(ticket.pk, since))
    assert [e.actor_id for e in events] == [e.actor_id for e in _events(ticket.pk, since)]
    assert BY_NUMBER.first("IT-19000101-0001") is None


def test_each_call_is_one_query(alice):
    ticket = make_ticket(requester=alice)
    BY_NUMBER.first(ticket.number)  # compiled (and prepared on this connection)

    with CaptureQueriesContext(connection) as queries:
        BY_NUMBER.first(ticket.number)
    assert len(queries.captured_queries) == 1


def test_a_read_whose_sql_depends_on_its_values_is_refused(alice):
    # ``None`` becomes IS NULL: the SQL changes with the value
    def by_assignee(assignee_id: int) -> QuerySet[Ticket]:
        return Ticket.objects.filter(
            assignee_id=assignee_id if assignee_id > 2_146_500_000 else None
        )

    with pytest.raises(ValueError, match="changed with its argument values"):
        Prepared(by_assignee, int).objects(1)


def test_a_read_that_reads_the_clock_is_refused(alice):
    def recent(ticket_id: int) -> QuerySet[TicketEvent]:
        return TicketEvent.objects.filter(ticket_id=ticket_id, at__gte=timezone.now())

    with pytest.raises(ValueError, match="pass it as an argument"):
        Prepared(recent, int).objects(1)


def test_an_argument_that_is_not_a_parameter_is_refused(alice):
    def numbered(number: str) -> QuerySet[Ticket]:
        return Ticket.objects.filter(number__icontains=number)  # becomes %…%: not the value

    with pytest.raises(ValueError, match="not a parameter"):
        Prepared(numbered, str).objects("IT")


def test_a_prefetching_read_is_refused(alice):
    def with_events(number: str) -> QuerySet[Ticket]:
        return Ticket.objects.filter(number=number).prefetch_related("events")

    with pytest.raises(ValueError, match="cannot prefetch"):
        Prepared(with_events, str).objects("IT")


def test_a_batch_reads_everything_in_one_query_and_each_read_takes_its_rows_once(alice):
    # given
    ticket = make_ticket(requester=alice)
    since = timezone.now() - dt.timedelta(days=1)
    expected = list(_events(ticket.pk, since))

    # when
    with (
        CaptureQueriesContext(connection) as queries,
        batched([(BY_NUMBER, (ticket.number,)), (EVENTS, (ticket.pk, since))]),
    ):
        one = len(queries.captured_queries)
        found = BY_NUMBER.first(ticket.number)
        events = EVENTS.objects(ticket.pk, since)
        taken = len(queries.captured_queries)
        again = EVENTS.objects(ticket.pk, since)  # taken already: read again
        other = BY_NUMBER.first("IT-19000101-0001")  # not in the batch: its own query

    # then
    assert (one, taken, len(queries.captured_queries)) == (1, 1, 3)
    assert found == ticket
    assert events == expected == again
    assert other is None


@pytest.mark.django_db(transaction=True)
def test_a_statement_the_database_forgot_is_prepared_again(alice):
    # given: the read prepared on this connection, then every statement deallocated
    ticket = make_ticket(requester=alice)
    assert BY_NUMBER.first(ticket.number) == ticket
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    # when / then: outside a transaction, it is prepared again at once
    assert BY_NUMBER.first(ticket.number) == ticket

    # inside one, the failure is the transaction's; the next use starts from nothing
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError), transaction.atomic():
        BY_NUMBER.first(ticket.number)
    with transaction.atomic():
        assert BY_NUMBER.first(ticket.number) == ticket


def test_constants_are_written_into_the_statement_whatever_their_characters(alice):
    # given: constants with a quote, a percent sign and a backslash
    ticket = make_ticket(requester=alice, title="it's 100% \\ done")

    def titled(number: str) -> QuerySet[Ticket]:
        return Ticket.objects.filter(number=number, title__in=["it's 100% \\ done", "50%"])

    # when / then
    assert Prepared(titled, str).first(ticket.number) == ticket
