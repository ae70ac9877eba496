"""Permission-scoped reads of remote-session consents and the work log.

The ticket itself comes from ``tickets.selectors`` (which answers 404 to anyone who may not
see it); these read what hangs off it. Internal work-log entries reach only people who read
internal notes; a requester (or a follower) sees the public ones and the totals of those.
Every function runs a fixed number of queries whatever the ticket's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from accounts.models import AnyUser, User
from accounts.permissions import capabilities
from fieldwork.models import RemoteConsent, WorkLog
from tickets import permissions
from tickets.models import Ticket


def consents_on(ticket: Ticket) -> QuerySet[RemoteConsent]:
    """Every consent of the ticket, newest first (whoever reads the ticket may read them:
    each step is on its public timeline too)."""
    return (
        RemoteConsent.objects.filter(ticket=ticket)
        .select_related("requested_by", "answered_by")
        .order_by("-requested_at", "-pk")
    )


def worklogs_for(user: AnyUser, ticket: Ticket) -> QuerySet[WorkLog]:
    """The entries ``user`` may read, in the order the work was done."""
    rows = WorkLog.objects.filter(ticket=ticket).select_related("author")
    if not permissions.can_view_internal(user):
        rows = rows.filter(is_public=True)
    return rows.order_by("performed_at", "pk")


# The requester's live progress shows the newest entries, the total counts them all.
PROGRESS_ROWS = 20


def public_worklogs(ticket: Ticket) -> QuerySet[WorkLog]:
    """The entries the requester reads as progress, whoever asks."""
    return (
        WorkLog.objects.filter(ticket=ticket, is_public=True)
        .select_related("author")
        .order_by("performed_at", "pk")
    )


@dataclass(frozen=True)
class Totals:
    minutes: int
    entries: int


def worklog_totals(user: AnyUser, ticket: Ticket) -> Totals:
    """Time spent on the ticket, over the entries ``user`` may read (one query)."""
    found = worklogs_for(user, ticket).order_by().aggregate(minutes=Sum("minutes"), n=Count("pk"))
    return Totals(minutes=int(found["minutes"] or 0), entries=int(found["n"] or 0))


def public_totals(ticket: Ticket) -> Totals:
    found = public_worklogs(ticket).order_by().aggregate(minutes=Sum("minutes"), n=Count("pk"))
    return Totals(minutes=int(found["minutes"] or 0), entries=int(found["n"] or 0))


# --- time per engineer -------------------------------------------------------------------


def may_see_everyones_time(user: AnyUser) -> bool:
    """Tech leads, managers (who read reports) and admins see every engineer's time."""
    caps = capabilities(user)
    return caps.lead or caps.view_reports


def may_see_own_time(user: AnyUser) -> bool:
    return capabilities(user).work_queue or may_see_everyones_time(user)


@dataclass(frozen=True)
class EngineerTime:
    engineer: User
    minutes: int
    entries: int
    tickets: int


def time_per_engineer(user: AnyUser, start: dt.datetime, end: dt.datetime) -> list[EngineerTime]:
    """Minutes logged from ``start`` (inclusive) to ``end`` (exclusive) per author, most
    first: everyone's for those who may see it, otherwise the reader's own (two queries)."""
    if not isinstance(user, User) or not may_see_own_time(user):
        return []
    rows = WorkLog.objects.filter(performed_at__gte=start, performed_at__lt=end)
    if not may_see_everyones_time(user):
        rows = rows.filter(author=user)
    sums = list(
        rows.order_by()
        .values("author_id")
        .annotate(
            minutes=Sum("minutes"),
            entries=Count("pk"),
            tickets=Count("ticket_id", distinct=True),
        )
        .order_by("-minutes", "author_id")
    )
    people = User.objects.in_bulk([row["author_id"] for row in sums])
    return [
        EngineerTime(
            engineer=people[row["author_id"]],
            minutes=int(row["minutes"]),
            entries=int(row["entries"]),
            tickets=int(row["tickets"]),
        )
        for row in sums
        if row["author_id"] in people
    ]
