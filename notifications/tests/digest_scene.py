"""The scene the digest tests share: a desk (two engineers, a tech lead, a manager) and many
tickets whose response deadline passes at the same moment, made in bulk.

One ticket is filed through the service (so every column is what the application writes);
the rest are copies with their own numbers, inserted in one go.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from notifications.choices import NotificationChannel
from notifications.models import Notification
from tickets.choices import Priority
from tickets.models import Ticket
from tickets.tests.factories import make_category, make_ticket


def breaching(
    requester: User,
    count: int,
    due: dt.datetime,
    *,
    priority: str = Priority.MEDIUM,
    tag: str = "A",
) -> list[Ticket]:
    """``count`` unassigned, submitted tickets of ``priority`` whose response is due at
    ``due`` (the warning too, so only the breach is recorded); resolution a day later."""
    template = make_ticket(requester=requester, category=make_category())
    Ticket.objects.filter(pk=template.pk).delete()
    skip = {"id", "number", "state"}
    base = {
        f.attname: getattr(template, f.attname)
        for f in Ticket._meta.concrete_fields
        if f.attname not in skip
    }
    later = due + dt.timedelta(days=1)
    rows = [
        Ticket(
            **{
                **base,
                "number": f"IT-DG{tag}-{i:05d}",
                "title": f"Storm {tag} {i}",
                "priority": priority,
                "response_warn_at": due,
                "response_due_at": due,
                "resolution_warn_at": later,
                "resolution_due_at": later,
                "response_breached_at": None,
                "resolution_breached_at": None,
                "sla_next_check_at": due,
                "escalation_check_at": None,
                "next_due_at": due,
            }
        )
        for i in range(count)
    ]
    return Ticket.objects.bulk_create(rows, batch_size=1000)


def rows_of(user: User, kind: str, channel: str = NotificationChannel.IN_APP) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, kind=kind, channel=channel).order_by("pk")
    )


def direct(user: User, kind: str, channel: str = NotificationChannel.IN_APP) -> list[str]:
    """The numbers the person was told of one by one."""
    return [n.number for n in rows_of(user, kind, channel) if "digest" not in n.payload]


def digest_rows(
    user: User, kind: str, channel: str = NotificationChannel.IN_APP
) -> list[Notification]:
    return [n for n in rows_of(user, kind, channel) if "digest" in n.payload]
