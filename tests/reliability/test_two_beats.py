"""Two ``celery beat`` processes (a misconfigured deploy: DESIGN.md wants exactly one) send the
sweep twice as often for a minute; two workers run the copies side by side. Every breach is
still recorded, put on the timeline and notified exactly once.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone

from sla.tasks import run_sweeps as sweep_sla
from tests.reliability.conftest import stop, wait_until
from tests.reliability.due import due_tickets, duplicates, people, told
from tickets.models import SlaEvent, Ticket, TicketEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RUN_SECONDS = 60
SWEEP_EVERY = 3  # SLA_SWEEP_SECONDS for both beats
ALREADY_DUE = 100
FALLING_DUE = 200  # spread over the first 45 s of the run
CLOCKS = 2
SENT = re.compile(r"Sending due task .*sla\.tasks\.run_sweeps")


def test_two_beats_for_a_minute_notify_every_breach_exactly_once(processes):
    # given: tickets overdue already, and tickets falling due while the beats run
    requester, staff = people()
    start = timezone.now() + dt.timedelta(seconds=10)  # after the processes have started
    spread = 45 / FALLING_DUE

    def due_at(i: int) -> dt.datetime:
        if i < ALREADY_DUE:
            return start - dt.timedelta(minutes=10)
        return start + dt.timedelta(seconds=(i - ALREADY_DUE) * spread)

    ids = due_tickets(requester, ALREADY_DUE + FALLING_DUE, due_at)
    processes.worker()
    processes.worker()
    first = processes.beat(SLA_SWEEP_SECONDS=str(SWEEP_EVERY))
    wait_until(
        lambda: SENT.search(processes.log_of(first)),
        "the first beat to send a sweep",
        timeout=30,
        logs=processes.logs,
    )
    second = processes.beat(SLA_SWEEP_SECONDS=str(SWEEP_EVERY))

    # when: both beats run for a minute
    time.sleep(max(0.0, RUN_SECONDS - (timezone.now() - start).total_seconds()))
    stop(first)
    stop(second)
    sweep_sla.delay()  # whatever fell due after the beats' last sweep
    wait_until(
        lambda: not Ticket.objects.filter(pk__in=ids, resolution_breached_at__isnull=True).exists(),
        "every ticket's breaches to be recorded",
        timeout=60,
        logs=processes.logs,
    )

    # then: both beats really did send the sweep, again and again
    sent = [len(SENT.findall(processes.log_of(beat))) for beat in (first, second)]
    assert all(n >= 5 for n in sent), sent

    # then: each breach once, on the timeline once, told to each person once
    assert duplicates() == {"sla_events": [], "timeline": [], "notifications": []}
    total = len(ids) * CLOCKS
    assert SlaEvent.objects.filter(ticket__in=ids).count() == total
    assert TicketEvent.objects.filter(ticket__in=ids, kind="sla_breached").count() == total
    # (one by one up to the digest threshold, the rest and the tech lead's in digests)
    for person in staff:
        heard = told(person)
        assert set(heard.values()) == {1}
        assert sum(heard.values()) == total

    # then: the workers never failed a task on the way
    for log in processes.logs:
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, f"{log.name}:\n{text[-3000:]}"
        assert "ERROR/" not in text, f"{log.name}:\n{text[-3000:]}"
