"""Permission-scoped reads of surveys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from feedback import permissions
from feedback.models import Survey
from tickets.models import Ticket
from tickets.permissions import limited_sites


def survey_of(ticket: Ticket) -> Survey | None:
    """The ticket's survey, or ``None`` before its first verification (one query)."""
    return Survey.objects.filter(ticket_id=ticket.pk).first()


@dataclass(frozen=True)
class SurveyFilters:
    """The list's filters: answered or not, answered within [since, before), the lowest of the
    three ratings at most ``max_rating``."""

    answered: bool = True
    since: dt.datetime | None = None
    before: dt.datetime | None = None
    max_rating: int | None = None

    def apply(self, rows: QuerySet[Survey]) -> QuerySet[Survey]:
        rows = rows.filter(answered_at__isnull=not self.answered)
        if self.since is not None:
            rows = rows.filter(answered_at__gte=self.since)
        if self.before is not None:
            rows = rows.filter(answered_at__lt=self.before)
        if self.max_rating is not None:
            low = self.max_rating
            rows = rows.filter(Q(speed__lte=low) | Q(quality__lte=low) | Q(attitude__lte=low))
        return rows


def surveys_for(user: User, filters: SurveyFilters) -> QuerySet[Survey]:
    """Surveys for the list (tech leads, managers, admins; nobody else: none), newest answer
    first (unanswered ones: newest invitation first), with the ticket, its requester and
    engineer joined: a fixed number of queries whatever the page holds. Staff limited to
    some sites (R7.2) see those sites' tickets' surveys only."""
    if not permissions.can_list(user):
        return Survey.objects.none()
    rows = Survey.objects.all()
    sites = limited_sites(user)
    if sites is not None:
        rows = rows.filter(ticket__site_id__in=sites)
    order = ("-answered_at", "-pk") if filters.answered else ("-invited_at", "-pk")
    return (
        filters.apply(rows)
        .select_related("ticket", "ticket__assignee", "ticket__site", "requester")
        .order_by(*order)
    )
