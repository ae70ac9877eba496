"""Reads of a person's own in-app notifications (the bell, the inbox page, the API)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, When
from django.db.models.functions import Cast

from accounts.models import User
from notifications.choices import NotificationChannel
from notifications.models import Notification


def inbox_for(user: User) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first: one item per notification, whatever
    other channels the same news also went by (those are rows of their own)."""
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).order_by(
        "-created_at", "-pk"
    )


# Where a request that already knows the user's unread count (``services.mark_read_for_link``)
# leaves it, so the bell on the same page does not count again. Kept on the user object,
# which lives for one request.
UNREAD_COUNT_ATTR = "_notifications_unread_count"


def unread_count(user: User) -> int:
    """The bell's number: the user's unread in-app notifications (one indexed COUNT, or none
    when this request already counted them)."""
    known = getattr(user, UNREAD_COUNT_ATTR, None)
    if isinstance(known, int):
        return known
    return inbox_for(user).filter(read_at__isnull=True).count()


def forget_unread_count(user: User) -> None:
    """Drop the count kept for this request (after a write that changes it)."""
    if getattr(user, UNREAD_COUNT_ATTR, None) is not None:
        setattr(user, UNREAD_COUNT_ATTR, None)


def inbox_groups(user: User, *, kind: str = "") -> QuerySet[Any, Any]:
    """The inbox as groups, newest first: one per kind and link (what the news is about: a
    ticket, a digest's list), or per row when it links nowhere. Each group has its
    ``kind``, ``count``, ``unread`` and the ``latest`` row's id (one GROUP BY, pageable)."""
    rows = inbox_for(user).order_by()
    if kind:
        rows = rows.filter(kind=kind)
    return (
        rows.annotate(about=Case(When(link="", then=Cast("pk", CharField())), default=F("link")))
        .values("kind", "about")
        .annotate(
            count=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
            latest=Max("pk"),
            at=Max("created_at"),
        )
        .order_by("-at", "-latest")
    )


def latest_rows(groups: Iterable[dict[str, Any]]) -> dict[int, Notification]:
    """The newest row of each group, by id (one query)."""
    ids = [group["latest"] for group in groups]
    return {row.pk: row for row in Notification.objects.filter(pk__in=ids)}
