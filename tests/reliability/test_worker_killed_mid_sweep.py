"""A worker killed (SIGKILL) in the middle of an SLA sweep loses nothing and doubles nothing.

3,000 unassigned tickets are overdue on both clocks. A real Celery worker sweeps them in
batches of 100 and holds each batch's transaction open for a second after writing its SLA
events, timeline entries and notifications; it is killed while one batch is held. The
batches it committed stay, the one it held is rolled back by PostgreSQL, and a fresh
worker's sweep finishes the rest: every breach is recorded and notified exactly once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from sla.tasks import run_sweeps as sweep_sla
from tests.reliability.conftest import wait_until
from tests.reliability.due import due_tickets, duplicates, people, told
from tickets.models import SlaEvent, Ticket, TicketEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TICKETS = 3000
BATCH = 100
CLOCKS = 2  # response and resolution


def _transactions_held_by_others() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        )
        return int(cursor.fetchone()[0])


def test_worker_killed_mid_sweep_then_restarted_notifies_every_breach_exactly_once(processes):
    # given: 3,000 tickets overdue for an hour, an engineer and a tech lead to tell (the
    # engineer one by one up to the digest threshold, the tech lead in digests: issue 17)
    requester, staff = people()
    ids = due_tickets(requester, TICKETS, lambda i: timezone.now() - dt.timedelta(hours=1))
    first = processes.worker(SWEEP_BATCH_SIZE=str(BATCH), SWEEP_HOLD_SECONDS="1")

    # when: the sweep has committed a few batches and holds the next one open
    sweep_sla.delay()
    wait_until(
        lambda: (
            SlaEvent.objects.count() >= 3 * BATCH * CLOCKS and _transactions_held_by_others() >= 1
        ),
        "three committed batches and a fourth holding its transaction",
        timeout=60,
        logs=processes.logs,
    )
    processes.kill(first)
    wait_until(
        lambda: _transactions_held_by_others() == 0,
        "PostgreSQL to roll back the killed worker's transaction",
        timeout=30,
        logs=processes.logs,
    )

    # then: only whole batches survived, the held one left nothing behind
    committed = SlaEvent.objects.count()
    assert committed % (BATCH * CLOCKS) == 0, committed
    assert 3 * BATCH * CLOCKS <= committed < TICKETS * CLOCKS
    # (each breach told to each person once: the engineer one by one up to the digest
    # threshold, then in the window's digest; the tech lead in the digest only, issue 17)
    for person in staff:
        assert sum(told(person).values()) == committed
        assert set(told(person).values()) == {1}
    assert not any(duplicates().values())

    # when: a new worker runs the next sweep (as beat would, 30 s later)
    processes.worker()
    sweep_sla.delay()
    wait_until(
        lambda: not Ticket.objects.filter(pk__in=ids, resolution_breached_at__isnull=True).exists(),
        "the second sweep to finish",
        timeout=90,
        logs=processes.logs,
    )

    # then: every breach of every ticket recorded and told to each person exactly once
    assert duplicates() == {"sla_events": [], "timeline": [], "notifications": []}
    assert SlaEvent.objects.filter(ticket__in=ids).count() == TICKETS * CLOCKS
    assert (
        TicketEvent.objects.filter(ticket__in=ids, kind="sla_breached").count() == TICKETS * CLOCKS
    )
    numbers = set(Ticket.objects.filter(pk__in=ids).values_list("number", flat=True))
    for person in staff:
        heard = told(person)
        assert set(heard.values()) == {1}
        assert {number for number, _kind in heard} == numbers
        assert sum(heard.values()) == TICKETS * CLOCKS
    assert not Ticket.objects.filter(pk__in=ids, sla_next_check_at__isnull=False).exists()
    assert not Ticket.objects.filter(pk__in=ids, response_breached_at__isnull=True).exists()
