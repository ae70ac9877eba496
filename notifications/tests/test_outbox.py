"""The notification outbox: rows written with their cause, e-mails sent once, after commit.

A high-priority ticket tells every engineer at once (one in-app and one e-mail
row each); these tests use that as their source of notifications.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import delivery, outbox
from notifications import selectors as inbox
from notifications import tasks as notification_tasks
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.transports import email as email_transport
from tickets import notify, services
from tickets.choices import Impact, TicketNotice, TicketState, Urgency
from tickets.obligations import sweep_sla
from tickets.tests.factories import make_ticket, move_to

pytestmark = pytest.mark.django_db

HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}


def email_rows():
    return Notification.objects.filter(channel=NotificationChannel.EMAIL).order_by("pk")


@pytest.fixture
def outage_ticket(alice, bob, erin):
    """A high-priority ticket: bob and erin each get an in-app row and a pending e-mail row."""
    return make_ticket(requester=alice, title="Core switch down", **HIGH)


def test_sending_a_notification_sends_one_email_and_marks_it_sent(outage_ticket, mailoutbox):
    # given
    row = email_rows().get(recipient__username="bob")

    # when
    sent = delivery.send_notification(row.pk)

    # then
    assert sent is True
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["bob@example.com"]
    assert outage_ticket.number in mailoutbox[0].subject
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 1


def test_sending_the_same_notification_twice_sends_nothing_more(outage_ticket, mailoutbox):
    # given
    row = email_rows().first()
    delivery.send_notification(row.pk)

    # when
    again = delivery.send_notification(row.pk)

    # then
    assert again is False
    assert len(mailoutbox) == 1


def test_in_app_rows_are_never_emailed(outage_ticket, mailoutbox):
    # given
    row = Notification.objects.filter(channel=NotificationChannel.IN_APP).first()

    # when
    sent = delivery.send_notification(row.pk)

    # then
    assert sent is False
    assert mailoutbox == []


def test_dispatch_pending_sends_each_pending_email_exactly_once(outage_ticket, mailoutbox):
    # given
    assert email_rows().filter(sent_at__isnull=True).count() == 2

    # when
    first = notification_tasks.dispatch_pending()
    second = notification_tasks.dispatch_pending()

    # then
    assert (first, second) == (2, 0)
    assert sorted(m.to[0] for m in mailoutbox) == ["bob@example.com", "erin@example.com"]
    assert not email_rows().filter(sent_at__isnull=True).exists()


def test_a_row_claimed_by_another_worker_is_skipped_until_the_claim_goes_stale(
    outage_ticket, mailoutbox
):
    # given: another worker claimed the row a minute ago and is still sending it
    row = email_rows().first()
    Notification.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=1)
    )

    # when
    while_claimed = delivery.send_notification(row.pk)
    Notification.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - delivery.CLAIM_TIMEOUT - dt.timedelta(seconds=1)
    )
    after_timeout = delivery.send_notification(row.pk)

    # then
    assert (while_claimed, after_timeout) == (False, True)
    assert len(mailoutbox) == 1


def test_a_failed_send_keeps_the_row_for_the_next_attempt(outage_ticket, mailoutbox, monkeypatch):
    # given: the mail server refuses once
    row = email_rows().first()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(email_transport, "send_mail", refuse)

    # when
    failed = delivery.send_notification(row.pk)
    row.refresh_from_db()
    monkeypatch.undo()
    retried = delivery.send_notification(row.pk)

    # then
    assert failed is False
    assert "SMTP down" in row.last_error
    assert row.sent_at is None and row.claimed_at is None
    assert retried is True
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (2, "")


def test_email_rows_are_handed_to_a_worker_after_commit(
    alice, bob, erin, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    queued: list[list[int]] = []
    monkeypatch.setattr(notification_tasks, "enqueue", queued.append)

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_ticket(requester=alice, **HIGH)

    # then: nothing before commit, then exactly the pending e-mail rows
    assert callbacks
    assert [sorted(ids) for ids in queued] == [list(email_rows().values_list("pk", flat=True))]


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing fails as with Redis stopped; counts the attempts."""
    attempts: list[Any] = []

    def refuse(*args, **kwargs):
        attempts.append(kwargs.get("args"))
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(notification_tasks, "_broker_failed_at", None)  # restored after the test
    monkeypatch.setattr(notification_tasks.dispatch_notifications, "apply_async", refuse)
    return attempts


def test_enqueue_survives_an_unreachable_broker(outage_ticket, broker_down):
    # when
    notification_tasks.enqueue(list(email_rows().values_list("pk", flat=True)))

    # then: the rows wait for dispatch_pending
    assert len(broker_down) == 1
    assert sorted(delivery.pending_ids()) == sorted(email_rows().values_list("pk", flat=True))


def test_after_a_broker_failure_enqueue_stops_trying_for_a_while(
    outage_ticket, broker_down, monkeypatch
):
    # given: a publish just failed (each one costs seconds while Redis is down)
    clock = [1000.0]
    monkeypatch.setattr(notification_tasks.time, "monotonic", lambda: clock[0])
    notification_tasks.enqueue([1])

    # when
    notification_tasks.enqueue([2])
    clock[0] += notification_tasks.BROKER_BACKOFF_SECONDS + 1
    notification_tasks.enqueue([3])

    # then: the second request did not wait for the broker; the third tried again
    assert broker_down == [([1],), ([3],)]


def test_in_app_notifications_show_in_the_inbox_and_the_header_count(outage_ticket, bob, web):
    # when
    inbox = web(bob).get("/notifications/")
    # (the ticket's own page reads its notifications: notifications/tests/test_reading.py)
    detail = web(bob).get("/tickets/queue/")

    # then
    assert inbox.status_code == 200
    page = inbox.content.decode()
    assert outage_ticket.number in page
    assert "Core switch down" in page
    for response in (inbox, detail):
        badge = re.search(r'id="unread-count">\s*(\d+)\s*<', response.content.decode())
        assert badge is not None
        assert badge.group(1) == "1"


def test_marking_all_read_clears_the_header_count(outage_ticket, bob, web):
    # given
    client = web(bob)

    # when
    response = client.post("/notifications/read/", follow=True)

    # then
    assert response.status_code == 200
    assert 'id="unread-count"' not in response.content.decode()
    assert inbox.unread_count(bob) == 0


def test_other_peoples_notifications_are_not_shown(outage_ticket, carol, web):
    # when
    page = web(carol).get("/notifications/").content.decode()

    # then
    assert outage_ticket.number not in page
    assert 'id="unread-count"' not in page


def test_emails_never_contain_internal_note_text(alice, bob, tom, mailoutbox):
    # given: a ticket worked with an internal note among public replies
    secret = "Admin password is hunter2-INTERNAL"
    ticket = make_ticket(requester=alice, **HIGH)
    ticket = move_to(ticket, TicketState.ACCEPTED, engineer=bob)
    services.add_message(ticket.pk, actor=bob, body=secret, internal=True)
    services.add_message(ticket.pk, actor=bob, body="Please restart the router.")
    services.add_message(ticket.pk, actor=alice, body="Done, still down.")
    move_to(ticket, TicketState.RESOLVED, engineer=bob)
    sweep_sla(now=timezone.now() + dt.timedelta(days=2))

    # when
    sent = notification_tasks.dispatch_pending()

    # then: alice, bob and tom got mail, and none of it carries the note
    assert sent == len(mailoutbox) > 0
    assert {"alice@example.com", "bob@example.com", "tom@example.com"} <= {
        m.to[0] for m in mailoutbox
    }
    for message in mailoutbox:
        texts = [message.subject, message.body] + [a[0] for a in message.alternatives]
        assert not any(secret in text or "hunter2" in text for text in texts)
    assert not Notification.objects.filter(payload__icontains="hunter2").exists()


def test_a_cause_notified_twice_keeps_one_row_per_person_and_channel(outage_ticket, bob, erin):
    # given
    rows = notify.rows_about(
        outage_ticket,
        recipients=[bob, erin, bob],
        kind=TicketNotice.REPLY,
        cause="test:cause",
        now=timezone.now(),
        extra={"note": "ünïcode ✓"},
    )

    # when
    first = outbox.insert(rows)
    second = outbox.insert(rows)

    # then: the new e-mail rows' ids the first time, nothing the second
    stored = Notification.objects.filter(dedupe_key__startswith="test:cause")
    assert stored.count() == 4
    assert sorted(first) == sorted(stored.filter(channel="email").values_list("pk", flat=True))
    assert second == []
    row = stored.get(recipient=bob, channel=NotificationChannel.IN_APP)
    assert row.payload == {
        "number": outage_ticket.number,
        "title": "Core switch down",
        "note": "ünïcode ✓",
    }
    assert row.link == f"/tickets/{outage_ticket.number}/"
    assert row.sent_at is not None and row.read_at is None
    assert (row.attempts, row.last_error, row.claimed_at) == (0, "", None)


def test_a_row_that_keeps_failing_stops_blocking_the_outbox(alice, bob, erin):
    # given: one e-mail that failed five times and one new one
    from notifications.delivery import MAX_ATTEMPTS, pending_ids

    make_ticket(requester=alice, impact="network", urgency="interrupted")
    rows = list(Notification.objects.filter(channel="email").order_by("pk"))
    assert len(rows) >= 2
    Notification.objects.filter(pk=rows[0].pk).update(attempts=MAX_ATTEMPTS, last_error="550")

    # then: the outbox skips the hopeless row and still reaches the others
    pending = pending_ids()
    assert rows[0].pk not in pending
    assert rows[1].pk in pending


def test_rows_of_many_causes_travel_once_per_cause_and_come_out_as_built(bob, erin):
    # given: two causes told to two people (build's rows: keys and send times the writer
    # makes itself), each cause with its own payload, and two causes sharing one payload
    now = timezone.now()
    shared = {"number": "IT-S", "title": "Shared"}
    rows = []
    for n, payload in ((1, {"number": "IT-1", "title": "One"}), (2, shared), (3, shared)):
        rows += outbox.build(
            recipients=[bob, erin],
            kind=TicketNotice.REPLY,
            cause=f"test:many:{n}",
            now=now + dt.timedelta(seconds=n),
            link=f"/tickets/IT-{n}/",
            payload=payload,
        )

    # when
    pending = outbox.insert(rows, fold=False)

    # then: every row as built, in the order given
    stored = list(Notification.objects.filter(dedupe_key__startswith="test:many:").order_by("pk"))
    assert [(r.dedupe_key, r.channel) for r in stored] == [
        (row.dedupe_key, row.channel) for row in rows if row.channel != outbox.IM
    ]
    for row in stored:
        n = int(row.dedupe_key.split(":")[2])
        assert row.created_at == now + dt.timedelta(seconds=n)
        assert row.link == f"/tickets/IT-{n}/"
        assert row.payload["number"] == ("IT-1" if n == 1 else "IT-S")
        assert row.sent_at == (row.created_at if row.channel == "in_app" else None)
    assert sorted(pending) == sorted(r.pk for r in stored if r.channel == "email")


def test_hand_made_rows_keep_their_own_keys_and_columns(bob):
    # given: rows not made by build (a key of another shape, a send time, attempts)
    now = timezone.now()
    rows = [
        Notification(
            recipient=bob,
            channel=NotificationChannel.EMAIL,
            kind=TicketNotice.REPLY,
            payload={"number": "IT-H"},
            dedupe_key="hand-made-key",
            created_at=now,
            attempts=2,
            last_error="earlier",
        ),
        Notification(
            recipient=bob,
            channel=NotificationChannel.IN_APP,
            kind=TicketNotice.REPLY,
            payload={"number": "IT-H"},
            dedupe_key=f"test:hand:{bob.pk}:in_app",
            created_at=now,
            sent_at=None,
        ),
    ]

    # when
    pending = outbox.insert(rows, fold=False)

    # then
    email = Notification.objects.get(dedupe_key="hand-made-key")
    assert (email.attempts, email.last_error, email.sent_at) == (2, "earlier", None)
    in_app = Notification.objects.get(dedupe_key=f"test:hand:{bob.pk}:in_app")
    assert in_app.sent_at is None
    assert sorted(pending) == sorted([email.pk, in_app.pk])
