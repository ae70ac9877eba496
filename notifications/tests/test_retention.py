"""Notifications and digests do not pile up: after ``NOTIFY_RETENTION_DAYS`` the ones done
with are deleted, a digest with its items; what still waits for delivery or for its window
to close stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import User
from notifications import retention, tasks
from notifications.choices import DigestScope, NotificationChannel
from notifications.delivery import MAX_ATTEMPTS
from notifications.models import Digest, DigestItem, Notification
from tests.clock import sh
from tickets.choices import TicketNotice

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 26, 3, 40)
OLD = NOW - dt.timedelta(days=91)
RECENT = NOW - dt.timedelta(days=89)


def row(user: User, name: str, at: dt.datetime, **fields: object) -> Notification:
    values: dict[str, object] = {
        "recipient": user,
        "channel": NotificationChannel.IN_APP,
        "kind": TicketNotice.SUBMITTED,
        "dedupe_key": f"retention:{name}",
        "created_at": at,
        "sent_at": at,
        **fields,
    }
    return Notification.objects.create(**values)


def digest(user: User, name: str, closed_at: dt.datetime | None, items: int) -> Digest:
    start = (closed_at or NOW) - dt.timedelta(minutes=10)
    found = Digest.objects.create(
        recipient=user,
        kind=TicketNotice.SUBMITTED,
        scope=DigestScope.ALL,
        window_start=start,
        closes_at=start + dt.timedelta(minutes=10),
        offered=5 + items,
        sent=items if closed_at else 0,
        created_at=start,
        closed_at=closed_at,
        writer=len(name),
    )
    DigestItem.objects.bulk_create(
        DigestItem(digest=found, cause=f"{name}:{i}", number=f"IT-{i}", created_at=start)
        for i in range(items)
    )
    return found


def names() -> set[str]:
    return {
        key.removeprefix("retention:")
        for key in Notification.objects.values_list("dedupe_key", flat=True)
    }


def test_old_notifications_done_with_go_and_the_rest_stays(bob, settings):
    # given
    settings.NOTIFY_RETENTION_DAYS = 90
    row(bob, "old-in-app-unread", OLD)
    row(bob, "old-email-sent", OLD, channel=NotificationChannel.EMAIL)
    row(bob, "old-email-given-up", OLD, channel="email", sent_at=None, attempts=MAX_ATTEMPTS)
    row(bob, "old-email-pending", OLD, channel="email", sent_at=None, attempts=2)
    row(bob, "recent-in-app", RECENT)

    # when
    purged = retention.purge_old(now=NOW)

    # then
    assert purged.notifications == 3
    assert names() == {"old-email-pending", "recent-in-app"}
    # a second run finds nothing more
    assert retention.purge_old(now=NOW).notifications == 0


def test_a_digest_told_long_ago_goes_with_its_items(bob, erin, settings):
    # given: a digest told 91 days ago (and its message), one told 89 days ago, one open
    settings.NOTIFY_RETENTION_DAYS = 90
    gone = digest(bob, "gone", OLD, items=30)
    kept = digest(erin, "kept", RECENT, items=4)
    still_open = digest(bob, "open", None, items=2)
    row(bob, "old-digest-message", OLD, payload={"digest": gone.pk, "count": 30})

    # when
    purged = retention.purge_old(now=NOW)

    # then
    assert (purged.digests, purged.items, purged.notifications) == (1, 30, 1)
    assert set(Digest.objects.values_list("pk", flat=True)) == {kept.pk, still_open.pk}
    assert DigestItem.objects.count() == 6
    assert not Notification.objects.exists()


def test_zero_days_keeps_everything(bob, settings):
    settings.NOTIFY_RETENTION_DAYS = 0
    row(bob, "ancient", NOW - dt.timedelta(days=4000))
    digest(bob, "ancient", NOW - dt.timedelta(days=4000), items=3)

    assert retention.purge_old(now=NOW) == retention.Purged()
    assert (Notification.objects.count(), Digest.objects.count(), DigestItem.objects.count()) == (
        1,
        1,
        3,
    )


def test_beat_runs_the_purge_every_night(bob, settings):
    # given: the task beat sends, by its name
    entry = django_settings.CELERY_BEAT_SCHEDULE["notifications.tasks.purge_old_notifications"]
    assert entry["task"] == tasks.purge_old_notifications.name
    settings.NOTIFY_RETENTION_DAYS = 1
    row(bob, "yesterday-but-one", timezone.now() - dt.timedelta(days=2))

    # when
    result = tasks.purge_old_notifications()

    # then
    assert result == {"notifications": 1, "digests": 0, "items": 0}
