"""Two sweeps at once, in two processes, over 300 overdue tickets: each SLA event, timeline
entry and notification exists exactly once, and the two processes share the work.

Each process is a plain Python process on the test database (as two beat hosts,
or a slow run overlapping the next, would be). A short pause after each batch,
while its row locks are held, makes sure the runs overlap.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.db.models import Count
from django.utils import timezone

from notifications.models import Notification
from servicedesk.lib.business_hours import always_open
from sla import rules as sla
from sla.calendars import policy_for
from tests.integration.conftest import REPO, process_env, stop_process
from tickets.choices import Channel, EventKind, Impact, Priority, Urgency
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.tests.factories import make_category

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TICKETS = 300

SWEEPER = """
import datetime as dt, pathlib, sys, time
import django
django.setup()
from notifications import tasks as notification_tasks
from tickets.obligations import TicketClocks, sweep_sla

notification_tasks.enqueue = lambda ids: None  # e-mail dispatch is not under test here
announce = TicketClocks.announce

def slow_announce(*args, **kwargs):
    announce(*args, **kwargs)
    time.sleep(0.03)  # still inside the batch's transaction: its rows stay locked

TicketClocks.announce = slow_announce
go = pathlib.Path(sys.argv[1])
now = dt.datetime.fromisoformat(sys.argv[2])
while not go.exists():
    time.sleep(0.002)
print(sweep_sla(now=now, batch_size=int(sys.argv[3])))
"""


def overdue_tickets(requester, count: int) -> list[Ticket]:
    """High tickets filed a day ago, nobody accepted: both clocks overdue."""
    submitted = timezone.now() - dt.timedelta(days=1)
    due = sla.deadlines(
        submitted_at=submitted,
        held_seconds=0,
        policy=policy_for(Priority.HIGH),
        calendar=always_open("Asia/Shanghai"),
    )
    category = make_category()
    return Ticket.objects.bulk_create(
        Ticket(
            number=f"IT-RACE-{i:04d}",
            title=f"Overdue {i}",
            description="Nobody took it",
            channel=Channel.WEB,
            requester=requester,
            category=category,
            impact=Impact.NETWORK,
            urgency=Urgency.INTERRUPTED,
            priority=Priority.HIGH,
            submitted_at=submitted,
            last_activity_at=submitted,
            response_due_at=due.response_due_at,
            response_warn_at=due.response_warn_at,
            resolution_due_at=due.resolution_due_at,
            resolution_warn_at=due.resolution_warn_at,
            sla_next_check_at=due.response_warn_at,
        )
        for i in range(count)
    )


def test_two_sweeps_at_once_record_each_event_and_notification_exactly_once(
    alice, bob, erin, tom, database_url, redis_server, tmp_path
):
    # given
    tickets = overdue_tickets(alice, TICKETS)
    go = tmp_path / "go"
    now = timezone.now().isoformat()
    env = process_env(database_url, redis_server.url)
    sweepers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SWEEPER, str(go), now, "20"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]

    # when: both start together
    go.touch()
    results = []
    try:
        for process in sweepers:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            results.append(int(out.strip().splitlines()[-1]))
    finally:
        for process in sweepers:
            stop_process(process)

    # then: both did part of the work, and together exactly all of it
    assert all(recorded > 0 for recorded in results), results
    assert sum(results) == 2 * TICKETS
    assert SlaEvent.objects.count() == 2 * TICKETS
    assert not SlaEvent.objects.values("ticket", "kind").annotate(n=Count("id")).filter(n__gt=1)
    breached = TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED)
    assert breached.count() == 2 * TICKETS
    assert not breached.values("ticket", "data__clock").annotate(n=Count("id")).filter(n__gt=1)
    # high priority, so nothing is folded into a digest (issue 17): the response breach to
    # the queue without the tech lead (bob, erin; tom's rung comes later), the resolution
    # breach to the queue and the tech lead (tom) at once; x in-app and e-mail
    assert Notification.objects.count() == TICKETS * (2 + 3) * 2
    assert (
        not Notification.objects.values("link", "kind", "recipient", "channel")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        SlaEventKind.RESPONSE_BREACH,
        SlaEventKind.RESOLUTION_BREACH,
    }
    swept = Ticket.objects.filter(pk__in=[t.pk for t in tickets])
    assert not swept.filter(sla_next_check_at__isnull=False).exists()
