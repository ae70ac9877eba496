"""Forgetting old notifications and digests: ``notifications.tasks.purge_old_notifications``
(beat, daily).

After ``NOTIFY_RETENTION_DAYS`` (90 by default; 0 keeps everything):

* a notification that is done with — sent (an in-app row is, from the moment it exists)
  or given up after ``delivery.MAX_ATTEMPTS`` — is deleted; one still waiting for delivery
  is left to ``dispatch_pending``;
* a digest told that long ago is deleted with its items (every writer's row of the window:
  they were claimed and told together). Its message rows were written when it was told,
  so they go in the same run, and no link is left pointing at a digest that is gone. A
  digest not told yet (its window still open, its person's quiet hours not over) stays.

In batches of ``BATCH`` rows (short statements, no long lock), at most ``MAX_BATCHES`` of
each kind per run; what is left waits for the next run. Idempotent: two beats, or a run
killed half-way, only delete what is old.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications.delivery import MAX_ATTEMPTS
from notifications.models import Digest, DigestItem, Notification

BATCH = 5000
MAX_BATCHES = 100


@dataclass(frozen=True)
class Purged:
    notifications: int = 0
    digests: int = 0
    items: int = 0


def retention_days() -> int:
    return max(int(settings.NOTIFY_RETENTION_DAYS), 0)


def purge_old(*, now: dt.datetime | None = None) -> Purged:
    """Delete the notifications and digests older than the retention; how many of each."""
    days = retention_days()
    if not days:
        return Purged()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    done_with = Q(sent_at__isnull=False) | Q(attempts__gte=MAX_ATTEMPTS)
    notifications = 0
    for _batch in range(MAX_BATCHES):
        ids = list(
            Notification.objects.filter(done_with, created_at__lt=cutoff)
            .order_by()
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        notifications += Notification.objects.filter(pk__in=ids).delete()[0]
    digests = items = 0
    for _batch in range(MAX_BATCHES):
        ids = list(
            Digest.objects.filter(closed_at__lt=cutoff)
            .order_by()
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        # The items first, in one statement (a tech lead's digest may fold thousands).
        items += DigestItem.objects.filter(digest_id__in=ids).delete()[0]
        digests += Digest.objects.filter(pk__in=ids).delete()[0]
    return Purged(notifications, digests, items)
