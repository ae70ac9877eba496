"""The sweep's claim query reads the partial index ``tickets_sla_due``, not the ticket table.

With 10,000 closed tickets (no next check) and 100 open ones, PostgreSQL must
answer "what is due?" from the small partial index over open rows. The query
is captured from a real sweep run, so the test follows the sweep if it changes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets.choices import Channel, ClosedAs, Impact, Priority, TicketState, Urgency
from tickets.models import Ticket
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_category

pytestmark = pytest.mark.django_db

CLOSED, OPEN = 10_000, 100


def fill(requester) -> dt.datetime:
    now = timezone.now()
    category = make_category()
    common = {
        "title": "Printer jam",
        "description": "Paper stuck",
        "channel": Channel.WEB,
        "requester": requester,
        "category": category,
        "impact": Impact.SINGLE,
        "urgency": Urgency.ABNORMAL,
        "priority": Priority.MEDIUM,
    }
    past = now - dt.timedelta(days=30)
    closed = [
        Ticket(
            number=f"IT-OLD-{i:05d}",
            state=TicketState.CLOSED,
            closed_as=ClosedAs.COMPLETED,
            submitted_at=past,
            closed_at=past,
            last_activity_at=past,
            **common,
        )
        for i in range(CLOSED)
    ]
    open_ = [
        Ticket(
            number=f"IT-NEW-{i:05d}",
            submitted_at=now,
            last_activity_at=now,
            # a few are due now, the rest over the coming hours
            sla_next_check_at=now + dt.timedelta(minutes=i - 3),
            **common,
        )
        for i in range(OPEN)
    ]
    Ticket.objects.bulk_create(closed + open_, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return now


def claim_query(now: dt.datetime) -> str:
    """The SQL of the sweep's claim (``… FOR NO KEY UPDATE SKIP LOCKED``), from a real run."""
    with CaptureQueriesContext(connection) as queries:
        sweep_sla(now=now)
    claims = [q["sql"] for q in queries.captured_queries if "SKIP LOCKED" in q["sql"]]
    assert claims, "the sweep ran no claim query"
    return claims[0]


def test_sweep_claim_uses_the_partial_index(alice):
    # given
    now = fill(alice)
    sql = claim_query(now)

    # when
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then
    assert "tickets_sla_due" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_sweep_claim_reads_only_due_rows(alice):
    # given
    now = fill(alice)
    sql = claim_query(now)

    # when: run it for real and count what it touched
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]["Plan"]

    # then: a handful of rows, not the 10,000 closed ones
    def rows_read(node):
        own = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        return own + sum(rows_read(child) for child in node.get("Plans", []))

    assert rows_read(plan) < 50, plan
