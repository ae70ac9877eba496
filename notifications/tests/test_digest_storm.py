"""A storm: 2,000 tickets breach their response deadline at once (beat was down). Each
engineer gets the first five one by one and one digest per channel for the window, which
names the right count and links to exactly the folded tickets; the tech lead gets the
digest only; every breach is still on its ticket's timeline; a second sweep adds nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from notifications import digests, folding
from notifications.choices import DigestScope, NotificationChannel, Urgency
from notifications.models import Digest, DigestItem, Notification
from notifications.tests.digest_scene import breaching, digest_rows, direct
from tests.clock import sh
from tickets.choices import EventKind, Priority, TicketNotice
from tickets.models import TicketEvent
from tickets.obligations import sweep_sla

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

KIND = TicketNotice.RESPONSE_BREACH
DUE = sh(2026, 11, 23, 10, 3)
SWEPT = DUE + dt.timedelta(minutes=1)
CLOSED = folding.window_start(SWEPT) + folding.window()
CHANNELS = (NotificationChannel.IN_APP, NotificationChannel.EMAIL)
STORM = 2000


@pytest.fixture
def storm(alice, bob, erin, tom, dave, settings):
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    settings.NOTIFY_DIGEST_WINDOW_MINUTES = 10
    bob.language, erin.language = "en", "zh-hans"
    for person in (bob, erin):
        person.save(update_fields=["language"])
    return breaching(alice, STORM, DUE)


def test_each_engineer_gets_five_then_one_digest_per_channel(storm, bob, erin, tom, api):
    # when: the sweep runs after beat was down, then the window closes
    assert sweep_sla(now=SWEPT) == STORM
    before_close = {p.username: direct(p, KIND) for p in (bob, erin, tom)}
    assert digests.close_due(CLOSED - dt.timedelta(seconds=1)) == 0  # not yet
    told = digests.close_due(CLOSED)

    # then: five one by one per engineer and channel (the first the sweep claimed)
    assert [len(before_close[name]) for name in ("bob", "erin", "tom")] == [5, 5, 0]
    assert told == 3  # one digest each for bob, erin and tom
    for person, folded in ((bob, STORM - 5), (erin, STORM - 5), (tom, STORM)):
        for channel in CHANNELS:
            one_by_one = direct(person, KIND, channel)
            [digest_row] = digest_rows(person, KIND, channel)
            # at most threshold + 1 messages of the kind per channel for the window
            assert len(one_by_one) + 1 <= folding.threshold() + 1
            assert digest_row.payload["count"] == folded
            assert digest_row.urgency == Urgency.NORMAL
            assert digest_row.created_at == CLOSED
        digest = Digest.objects.get(pk=digest_row.payload["digest"])
        assert (digest.recipient_id, digest.kind, digest.scope) == (person.pk, KIND, "all")
        # the link: the queue filtered to exactly the folded tickets
        assert digest_row.link == f"/tickets/queue/?digest={digest.pk}"
        listed = api(person).get("/api/v1/tickets/", {"digest": digest.pk, "page_size": 1})
        assert listed.status_code == 200
        assert listed.json()["count"] == folded
        folded_numbers = set(
            DigestItem.objects.filter(digest=digest).values_list("number", flat=True)
        )
        assert folded_numbers.isdisjoint(direct(person, KIND))
        assert len(folded_numbers) == folded

    # every breach is still on its ticket's timeline
    breached = TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED, ticket__in=storm)
    assert breached.count() == STORM

    # the message names the count and the first numbers, in the reader's language (bob: en)
    [row] = digest_rows(bob, KIND)
    first = list(DigestItem.objects.filter(digest_id=row.payload["digest"]).order_by("pk")[:7])
    assert row.payload["numbers"] == [item.number for item in first]
    assert row.payload["title"].startswith(
        f"{STORM - 5} tickets breached their response time: {first[0].number}, "
    )
    assert row.payload["title"].endswith(f"and {STORM - 5 - 7} more")
    [erins] = digest_rows(erin, KIND)
    assert erins.payload["title"].startswith(f"{STORM - 5} 张工单响应已超时：")

    # a second sweep and a second close add nothing
    before = (Notification.objects.count(), DigestItem.objects.count(), Digest.objects.count())
    assert sweep_sla(now=SWEPT + dt.timedelta(seconds=30)) == 0
    assert digests.close_due(CLOSED + dt.timedelta(minutes=1)) == 0
    after = (Notification.objects.count(), DigestItem.objects.count(), Digest.objects.count())
    assert after == before


def test_the_next_window_starts_counting_again(bob, erin, alice, settings):
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    first = breaching(alice, 7, DUE, tag="F")
    second = breaching(alice, 7, DUE + dt.timedelta(minutes=10), tag="S")

    sweep_sla(now=SWEPT)
    sweep_sla(now=SWEPT + dt.timedelta(minutes=10))
    digests.close_due(CLOSED + dt.timedelta(minutes=10))

    numbers = direct(bob, KIND)
    assert len(set(numbers[:5]) & {t.number for t in first}) == 5
    assert len(set(numbers[5:]) & {t.number for t in second}) == 5
    assert [r.payload["count"] for r in digest_rows(bob, KIND)] == [2, 2]


def test_high_priority_breaches_go_at_once_and_never_into_a_digest(alice, bob, tom, settings):
    # given: eight high-priority and eight medium tickets breach at the same moment
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    high = breaching(alice, 8, DUE, priority=Priority.HIGH, tag="H")
    medium = breaching(alice, 8, DUE, tag="M")

    # when
    sweep_sla(now=SWEPT)
    digests.close_due(CLOSED)

    # then: every high one reached bob at once, high urgency; five medium one by one
    told = direct(bob, KIND)
    assert {t.number for t in high} <= set(told)
    assert len(told) == 8 + 5
    assert {
        n.urgency for n in Notification.objects.filter(payload__number__in=[t.number for t in high])
    } == {Urgency.HIGH}
    [row] = digest_rows(bob, KIND)
    items = set(
        DigestItem.objects.filter(digest_id=row.payload["digest"]).values_list("number", flat=True)
    )
    assert items == {t.number for t in medium} - set(told)
    # the tech lead: no high-priority response breach (the ladder's second rung is theirs),
    # the medium ones in the digest
    assert direct(tom, KIND) == []
    [lead_row] = digest_rows(tom, KIND)
    assert lead_row.payload["count"] == 8


def test_a_digest_for_a_person_who_may_not_see_the_queue_lists_its_items_in_the_inbox(
    alice, bob, web, settings
):
    # given: alice is told of seven replies within minutes
    from notifications import outbox

    settings.NOTIFY_DIGEST_THRESHOLD = 5
    now = sh(2026, 11, 23, 10, 1)
    for i in range(7):
        outbox.save_and_dispatch(
            outbox.build(
                recipients=[alice],
                kind=TicketNotice.REPLY,
                cause=f"event:test-{i}",
                now=now,
                link=f"/tickets/IT-R-{i}/",
                payload={"number": f"IT-R-{i}", "title": "Reply"},
            )
        )

    # when
    digests.close_due(folding.window_start(now) + folding.window())

    # then: the digest links to her inbox's list of its two items
    [row] = digest_rows(alice, TicketNotice.REPLY)
    assert row.link == f"/notifications/?digest={row.payload['digest']}"
    page = web(alice).get(row.link).content.decode()
    assert "IT-R-5" in page and "IT-R-6" in page and "IT-R-4" not in page
    # someone else's digest is not found
    assert web(bob).get(row.link).status_code == 404
    assert Digest.objects.get(pk=row.payload["digest"]).scope == DigestScope.ALL
