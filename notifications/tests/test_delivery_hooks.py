"""``delivery.on_sent``: every delivery attempt is told to the registered hooks as (channel,
outcome) — sent, failed, deferred — and a hook that raises changes nothing for the row."""

from __future__ import annotations

import pytest

from notifications import delivery
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.transports import RetryLater
from notifications.transports import email as email_transport
from tickets.choices import Impact, Urgency
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch) -> list[tuple[str, str]]:
    """What the hooks were told (a listener registered for this test only)."""
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(delivery, "_sent_hooks", [*delivery._sent_hooks])
    delivery.on_sent(lambda channel, outcome: told.append((channel, outcome)))
    return told


@pytest.fixture
def emails(alice, bob, erin) -> list[int]:
    make_ticket(requester=alice, impact=Impact.NETWORK, urgency=Urgency.INTERRUPTED)
    rows = Notification.objects.filter(channel=NotificationChannel.EMAIL).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def test_each_attempt_is_told_with_its_channel_and_outcome(emails, heard, monkeypatch, mailoutbox):
    # given: the first e-mail goes, the second is refused, the third asked to wait
    assert len(emails) >= 2
    real = email_transport.send
    answers = iter(["sent", "failed", "deferred"] * len(emails))

    def by_turn(notification):
        answer = next(answers)
        if answer == "failed":
            raise OSError("mail server said no")
        if answer == "deferred":
            raise RetryLater("slow down", after=30)
        return real(notification)

    monkeypatch.setattr(email_transport, "send", by_turn)

    # when
    delivery.send_notifications(emails)

    # then
    expected = ["sent", "failed", "deferred"] * len(emails)
    assert heard == [("email", outcome) for outcome in expected[: len(emails)]]


def test_a_hook_that_raises_does_not_undo_the_delivery(emails, heard, mailoutbox):
    # given: a broken listener beside the good one
    def broken(channel, outcome):
        raise RuntimeError("metrics backend down")

    delivery.on_sent(broken)
    delivery.on_sent(broken)  # registered once

    # when
    sent = delivery.send_notification(emails[0])

    # then: the e-mail went and is marked sent; the good listener still heard it
    assert sent is True
    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=emails[0]).sent_at is not None
    assert heard == [("email", "sent")]
    assert delivery._sent_hooks.count(broken) == 1
