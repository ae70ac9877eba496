"""Reads of a person's own in-app notifications (the bell, the inbox page, the API)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from notifications.choices import NotificationChannel
from notifications.models import Notification


def inbox_for(user: User) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first: one item per notification, whatever
    other channels the same news also went by (those are rows of their own)."""
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).order_by(
        "-created_at", "-pk"
    )


def unread_count(user: User) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
