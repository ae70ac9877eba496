"""A cause is listed once per digest window, whichever transactions offered it: each writer
keeps its own counter row of the window, but the window's items are unique per cause, so
a cause offered again by another transaction (a retried job, a second sweep) in the same
window is not told twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from notifications import digests, folding, outbox, tasks
from notifications.models import Digest, DigestItem
from notifications.tests.digest_scene import digest_rows
from tests.clock import sh
from tickets.choices import TicketNotice

KIND = TicketNotice.RESPONSE_BREACH
AT = sh(2026, 11, 23, 10, 3)
CLOSED = folding.window_start(AT) + folding.window()


@pytest.fixture
def folding_everything(settings, monkeypatch) -> None:
    settings.NOTIFY_DIGEST_THRESHOLD = 0  # every normal notification folds
    settings.NOTIFY_DIGEST_WINDOW_MINUTES = 10
    monkeypatch.setattr(tasks, "enqueue", lambda ids: None)


def offer(person, cause: str, number: str, at: dt.datetime) -> None:
    """One writing transaction offering one cause to the person (committed)."""
    with transaction.atomic():
        outbox.save_and_dispatch(
            outbox.build(
                recipients=[person], kind=KIND, cause=cause, now=at, payload={"number": number}
            )
        )


@pytest.mark.django_db(transaction=True)
def test_a_cause_offered_in_two_transactions_of_one_window_is_listed_once(bob, folding_everything):
    # given: the same cause offered by two transactions in one window, beside another cause
    offer(bob, "breach:1", "IT-1", AT)
    offer(bob, "breach:1", "IT-1", AT + dt.timedelta(minutes=2))
    offer(bob, "breach:2", "IT-2", AT + dt.timedelta(minutes=3))

    # then: each transaction kept its own counter row, but the cause is one item
    writers = Digest.objects.filter(recipient=bob, kind=KIND)
    assert writers.count() == 3
    assert sorted(writers.values_list("offered", flat=True)) == [1, 1, 1]
    items = DigestItem.objects.filter(digest__recipient=bob).order_by("pk")
    assert [(i.cause, i.number) for i in items] == [("breach:1", "IT-1"), ("breach:2", "IT-2")]
    assert {(i.person, i.kind, i.scope, i.window_start) for i in items} == {
        (bob.pk, KIND, "all", folding.window_start(AT))
    }

    # when: the window closes
    assert digests.close_due(CLOSED) == 1

    # then: one message per channel, naming two tickets, each once
    [message] = digest_rows(bob, KIND)
    assert message.payload["count"] == 2
    assert sorted(message.payload["numbers"]) == ["IT-1", "IT-2"]
    digest = Digest.objects.get(pk=message.payload["digest"])
    assert [i.number for i in digests.items_of(digest)] == ["IT-1", "IT-2"]
