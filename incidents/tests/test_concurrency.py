"""Two sweeps at the same moment, each on its own database connection: one report per
incident and slot, one notification per person (the event table's unique constraint and
the claim's ``SKIP LOCKED`` decide; ``IncidentReport`` is unique on the slot as well)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connections

from incidents.choices import ClockKind
from incidents.models import IncidentClockEvent, IncidentReport
from incidents.obligations import IncidentClocks
from incidents.tests.factories import declare_at
from notifications.models import Notification
from sla.obligations import Due, SweepResult, sweep
from tests.clock import sh

T0 = sh(2026, 3, 2, 10, 0)
REPORT_AT = T0 + dt.timedelta(minutes=30, seconds=5)


class MeetInsideFirstBatch(IncidentClocks):
    """Each sweep's first announcement waits for the other's, its rows still locked: the
    two sweeps are certainly at work at the same time."""

    def __init__(self, sweeps: int) -> None:
        self.meeting = threading.Barrier(sweeps, timeout=10)
        self.local = threading.local()

    def announce(self, rows, recorded: list[Due], now: dt.datetime) -> None:  # type: ignore[no-untyped-def]
        super().announce(rows, recorded, now)
        if not getattr(self.local, "met", False):
            self.local.met = True
            self.meeting.wait()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_report_exactly_once(tom, dave):
    # given: six incidents declared at 10:00, their first report due at 10:30
    incidents = [declare_at(T0, by=tom, title=f"Outage {i}") for i in range(6)]
    declaration = MeetInsideFirstBatch(sweeps=2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(sweep(declaration, now=REPORT_AT, batch_size=2))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    # when: both sweep at 10:30:05 at once, in batches of two incidents
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: they shared the work; each incident has one report and the manager one message each
    assert not errors, errors
    assert all(r.recorded.get(ClockKind.REPORT, 0) > 0 for r in results), results
    assert sum(r.recorded.get(ClockKind.REPORT, 0) for r in results) == 6
    reports = Counter(IncidentReport.objects.values_list("incident_id", "slot"))
    slot = T0 + dt.timedelta(minutes=30)
    assert reports == Counter({(i.pk, slot): 1 for i in incidents})
    assert IncidentClockEvent.objects.filter(kind=ClockKind.REPORT).count() == 6
    sent = Counter(
        Notification.objects.filter(
            kind=ClockKind.REPORT, recipient=dave, channel="in_app"
        ).values_list("payload__number", flat=True)
    )
    assert sent == Counter({i.number: 1 for i in incidents})

    # and a third sweep at the same moment finds nothing left to do
    again = sweep(IncidentClocks(), now=REPORT_AT)
    assert again.total == 0
