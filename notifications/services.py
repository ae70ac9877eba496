"""Writes a person makes to their own inbox: mark one, those about one page, or all read."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from notifications import selectors
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
        selectors.forget_unread_count(actor)
    return notification


def mark_read_for_link(actor: User, link: str) -> int:
    """Reading the page a notification points to reads the notification: mark the actor's
    unread in-app notifications whose link is ``link`` read; returns how many.

    Counts the actor's unread notifications first (the bell's COUNT, which the page would
    run anyway, kept for it): with nothing unread no UPDATE runs, otherwise one does and
    the bell on this page already shows what is left.
    """
    unread = selectors.unread_count(actor)
    if not unread or not link:
        setattr(actor, selectors.UNREAD_COUNT_ATTR, unread)
        return 0
    marked = (
        inbox_for(actor)
        .filter(link=link, read_at__isnull=True)
        .order_by()
        .update(read_at=timezone.now())
    )
    setattr(actor, selectors.UNREAD_COUNT_ATTR, max(unread - marked, 0))
    return marked


def mark_all_read(*, actor: User) -> int:
    """Mark every unread in-app notification of the actor read; returns how many."""
    marked = inbox_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
    selectors.forget_unread_count(actor)
    return marked


def open_group(notification_id: int, *, actor: User) -> Notification:
    """Open a group of the inbox by its newest row: that row and every unread one of the
    same kind about the same thing (its link) are read; the row is returned."""
    notification = mark_read(notification_id, actor=actor)
    if notification.link:
        inbox_for(actor).filter(
            kind=notification.kind, link=notification.link, read_at__isnull=True
        ).update(read_at=timezone.now())
        selectors.forget_unread_count(actor)
    return notification


def mark_kind_read(actor: User, kind: str) -> int:
    """Mark every unread in-app notification of one kind of the actor read (all the
    breaches, say); returns how many."""
    marked = (
        inbox_for(actor)
        .filter(kind=kind, read_at__isnull=True)
        .order_by()
        .update(read_at=timezone.now())
    )
    selectors.forget_unread_count(actor)
    return marked
