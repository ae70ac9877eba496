"""Many tickets whose SLA deadlines have passed (or will, at given times), made in bulk.

One ticket is filed through the service (so every column is what the application writes);
the rest are copies of it with their own numbers and deadlines, inserted in one go: filing
thousands through the service would take minutes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db.models import Count

from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.models import DigestItem, Notification
from tickets.models import SlaEvent, Ticket, TicketEvent
from tickets.tests.factories import make_category, make_ticket


def people() -> tuple[object, list[object]]:
    """A requester and the queue (an engineer and a tech lead), without e-mail addresses:
    the sweep writes in-app notifications only, so no e-mail task competes for the worker."""
    requester = make_user("rel_requester", Role.REQUESTER, email="")
    staff = [
        make_user("rel_engineer", Role.ENGINEER, email=""),
        make_user("rel_lead", Role.TECH_LEAD, email=""),
    ]
    return requester, staff


def due_tickets(requester: object, count: int, due_at: Callable[[int], dt.datetime]) -> list[int]:
    """``count`` unassigned, submitted tickets; ticket ``i``'s response is due at ``due_at(i)``
    and its resolution five seconds later (warnings at the same moments, so only breaches
    are recorded)."""
    template = make_ticket(requester=requester, category=make_category())
    Ticket.objects.filter(pk=template.pk).update(sla_next_check_at=None, next_due_at=None)
    skip = {"id", "number", "state"}
    base = {
        f.attname: getattr(template, f.attname)
        for f in Ticket._meta.concrete_fields
        if f.attname not in skip
    }
    rows = []
    for i in range(count):
        response = due_at(i)
        resolution = response + dt.timedelta(seconds=5)
        rows.append(
            Ticket(
                **{
                    **base,
                    "number": f"IT-REL-{i:06d}",
                    "response_warn_at": response,
                    "response_due_at": response,
                    "resolution_warn_at": resolution,
                    "resolution_due_at": resolution,
                    "response_breached_at": None,
                    "resolution_breached_at": None,
                    "sla_next_check_at": response,
                    "next_due_at": response,
                }
            )
        )
    created = Ticket.objects.bulk_create(rows, batch_size=1000)
    return [t.pk for t in created]


def duplicates() -> dict[str, list[dict[str, object]]]:
    """Anything recorded more than once: SLA events, breach timeline entries, notifications."""
    return {
        "sla_events": list(
            SlaEvent.objects.values("ticket", "kind").annotate(n=Count("id")).filter(n__gt=1)
        ),
        "timeline": list(
            TicketEvent.objects.filter(kind="sla_breached")
            .values("ticket", "data__clock")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        ),
        "notifications": list(
            Notification.objects.values("link", "kind", "recipient", "channel")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        ),
    }


def told(person: object) -> Counter[tuple[str, str]]:
    """What ``person`` was told of, by (number, kind): one by one (their in-app rows) or
    folded into a digest (issue 17: past the threshold in a window, and every breach for
    a tech lead). Each breach must appear exactly once."""
    one_by_one = Counter(
        Notification.objects.filter(recipient=person, channel="in_app")
        .exclude(payload__has_key="digest")
        .values_list("payload__number", "kind")
    )
    folded = Counter(
        DigestItem.objects.filter(
            digest__recipient=person, digest__scope__in=("all", "app")
        ).values_list("number", "digest__kind")
    )
    return one_by_one + folded
