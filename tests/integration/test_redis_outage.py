"""Losing Redis loses no data and costs no time: a ticket filed while the broker is down is
stored at once (every request answers in under a second, the first included) and its
notifications wait in the outbox; when Redis is back, ``dispatch_pending`` sends each once.

The broker is a Redis of this test's own on a spare port (the machine's Redis is
never touched), stopped and started again by the test.
"""

from __future__ import annotations

import time

import pytest

from notifications import tasks as notification_tasks
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.tasks import dispatch_pending
from tests.integration.conftest import wait_for
from tickets.choices import Impact, Priority, Urgency
from tickets.models import Ticket
from tickets.tests.factories import make_category

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def file_ticket(client, category: str, title: str):
    started = time.monotonic()
    response = client.post(
        "/api/v1/tickets/",
        {
            "title": title,
            "description": "No network on the 3rd floor since 09:10.",
            "category": category,
            "impact": Impact.NETWORK,
            "urgency": Urgency.INTERRUPTED,
        },
        format="json",
    )
    return response, time.monotonic() - started


def test_tickets_filed_while_redis_is_down_are_stored_and_notified_once_after(
    alice, bob, erin, api, redis_server, celery_broker, workers, mailoutbox, monkeypatch
):
    # given: this process publishes to our own Redis, which then goes down
    celery_broker(redis_server.url)
    monkeypatch.setattr(notification_tasks, "_broker_failed_at", None)  # restored after the test
    category = make_category()
    redis_server.stop()

    # when: alice reports a network outage (high priority: every engineer is told) three
    # times: the first request finds the broker gone, the second comes while enqueue skips
    # the broker after that failure, the third once that pause is over and it tries again
    first, first_took = file_ticket(api(alice), category.slug, "Whole floor offline")
    second, second_took = file_ticket(api(alice), category.slug, "Printer offline too")
    monkeypatch.setattr(notification_tasks, "_broker_failed_at", None)
    third, third_took = file_ticket(api(alice), category.slug, "Phones offline as well")

    # then: success at once every time, and everything is in the database
    responses = (first, second, third)
    assert [r.status_code for r in responses] == [201, 201, 201], first.content
    assert max(first_took, second_took, third_took) < 1, (first_took, second_took, third_took)
    numbers = [r.json()["number"] for r in responses]
    tickets = Ticket.objects.filter(number__in=numbers)
    assert {t.priority for t in tickets} == {Priority.HIGH}
    assert all(t.response_due_at for t in tickets)
    emails = Notification.objects.filter(
        payload__number__in=numbers, channel=NotificationChannel.EMAIL
    )
    assert sorted(emails.values_list("recipient__username", flat=True)) == [
        *["bob"] * 3,
        *["erin"] * 3,
    ]
    assert not emails.filter(sent_at__isnull=False).exists()
    assert set(emails.values_list("attempts", flat=True)) == {0}

    # when: Redis is back; beat's dispatch_pending reaches a worker through the same
    # producer pool that failed during the outage
    redis_server.start()
    workers.start(redis_server.url)
    dispatch_pending.delay()
    dispatch_pending.delay()

    # then: each e-mail sent, claimed exactly once
    wait_for(
        lambda: not emails.filter(sent_at__isnull=True).exists(),
        what="dispatch_pending after the outage",
        logs=workers.logs,
    )
    assert set(emails.values_list("attempts", flat=True)) == {1}

    # and a later run, here, finds nothing left to send
    assert dispatch_pending() == 0
    assert mailoutbox == []
