"""Writes a person makes to their own inbox: mark one, or all, read."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from notifications.selectors import inbox_for


class NotificationNotFound(Exception):
    """Not one of this person's in-app notifications (shown as 404)."""


def mark_read(notification_id: int, *, actor: User) -> Notification:
    """Mark one of the actor's own notifications read; reading it twice keeps the first time."""
    notification = inbox_for(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotificationNotFound
    if notification.read_at is None:
        now = timezone.now()
        # Compare-and-set: a second tab marking it at the same time keeps the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, actor: User) -> int:
    """Mark every unread in-app notification of the actor read; returns how many."""
    return inbox_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
