"""The SLA sweep and the outbox run by a real Celery worker on a real Redis broker.

The worker is a separate process on the test database; it sends e-mail with
the locmem backend, so the test cannot read its outbox and checks ``sent_at``
(and ``attempts``: claimed once) on the rows instead.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from notifications import delivery
from notifications import tasks as notification_tasks
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.tasks import dispatch_pending
from sla.tasks import run_sweeps as sweep_sla
from tests.integration.conftest import wait_for
from tickets.choices import EventKind, Impact, Urgency
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.tests.factories import make_category, make_ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}


def test_worker_sweep_records_the_breach_and_sends_its_notifications(
    alice, bob, erin, tom, redis_server, celery_broker, workers, monkeypatch
):
    # given: a high ticket filed six hours ago that nobody accepted (both clocks overdue);
    # the e-mails of its submission are left for dispatch_pending
    celery_broker(redis_server.url)
    with (
        monkeypatch.context() as patch,
        time_machine.travel(timezone.now() - dt.timedelta(hours=6), tick=False),
    ):
        patch.setattr(notification_tasks, "enqueue", lambda ids: None)
        ticket = make_ticket(requester=alice, category=make_category(), **HIGH)
    workers.start(redis_server.url)

    # when
    sweep_sla.delay()

    # then: the breach is recorded once, on the ticket and its timeline
    wait_for(
        lambda: Ticket.objects.get(pk=ticket.pk).resolution_breached_at,
        what="the worker's sweep",
        logs=workers.logs,
    )
    ticket.refresh_from_db()
    assert ticket.response_breached_at == ticket.response_due_at
    assert ticket.resolution_breached_at == ticket.resolution_due_at
    assert ticket.sla_next_check_at is None
    # (unaccepted for hours: the high-priority ladder has rung for the tech leads and managers)
    assert sorted(SlaEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == [
        "escalation_manager",
        "escalation_tech_lead",
        SlaEventKind.RESOLUTION_BREACH,
        SlaEventKind.RESPONSE_BREACH,
    ]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 2
    breach_rows = Notification.objects.filter(kind__endswith="_breach")
    # the engineers hear of both breaches (a high ticket: never folded); tom, the tech lead,
    # of the resolution breach and of the ladder's rung, not of the response breach
    told = set(breach_rows.values_list("recipient__username", "kind"))
    assert {("bob", "response_breach"), ("erin", "response_breach")} <= told
    assert ("tom", "response_breach") not in told
    rung = Notification.objects.filter(kind="escalation_tech_lead")
    assert set(rung.values_list("recipient__username", flat=True)) == {"tom"}

    # then: the worker sent the breach e-mails after its commit, each once
    breach_emails = breach_rows.filter(channel=NotificationChannel.EMAIL)
    wait_for(
        lambda: not breach_emails.filter(sent_at__isnull=True).exists(),
        what="dispatch_notifications on the worker",
        logs=workers.logs,
    )
    assert set(breach_emails.values_list("attempts", flat=True)) == {1}

    # when: the periodic outbox task runs for what was left behind
    left = list(delivery.pending_ids())
    assert len(left) == 3  # the submission's e-mails to bob, erin and tom
    dispatch_pending.delay()

    # then
    wait_for(
        lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
        what="dispatch_pending on the worker",
        logs=workers.logs,
    )
    assert set(Notification.objects.filter(pk__in=left).values_list("attempts", flat=True)) == {1}


def test_worker_sweep_twice_changes_nothing_more(alice, bob, redis_server, celery_broker, workers):
    # given: a breach already recorded by the worker
    celery_broker(redis_server.url)
    with time_machine.travel(timezone.now() - dt.timedelta(hours=6), tick=False):
        ticket = make_ticket(requester=alice, category=make_category(), **HIGH)
    workers.start(redis_server.url)
    sweep_sla.delay()
    wait_for(
        lambda: Ticket.objects.get(pk=ticket.pk).resolution_breached_at,
        what="the first sweep",
        logs=workers.logs,
    )
    wait_for(
        lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
        what="the first e-mails",
        logs=workers.logs,
    )
    before = (SlaEvent.objects.count(), Notification.objects.count(), TicketEvent.objects.count())

    # when: two more sweeps and an outbox run, then a marker task to know they are done
    sweep_sla.delay()
    sweep_sla.delay()
    dispatch_pending.delay()
    marker = dispatch_pending.delay()

    # then
    wait_for(
        lambda: _task_finished(workers.logs, marker.id), what="the last task", logs=workers.logs
    )
    assert (
        SlaEvent.objects.count(),
        Notification.objects.count(),
        TicketEvent.objects.count(),
    ) == before
    assert set(Notification.objects.filter(channel="email").values_list("attempts", flat=True)) == {
        1
    }


def _task_finished(logs, task_id: str) -> bool:
    text = "".join(path.read_text(errors="replace") for path in logs if path.exists())
    # the worker's one JSON line per task (servicedesk.jsonlog)
    return any(
        f'"task_id": "{task_id}"' in line and '"outcome": "success"' in line
        for line in text.splitlines()
    )
