"""Every permission-scoped read of major incidents.

Incidents are the desk's and management's: ``incident_for`` and ``incidents_for`` refuse
anyone else with a 403 (``IncidentsForbidden``), an unknown number is a 404. A linked
ticket is listed only when the reader may see it (``tickets_visible_to``), so a person
limited to some sites counts and reads only theirs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import AnyUser
from incidents import clocks, permissions
from incidents.choices import OPEN_STATUSES
from incidents.errors import IncidentNotFound, IncidentsForbidden
from incidents.models import IncidentMember, IncidentReport, MajorIncident, StatusNote
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to

NUMBER_MAX = 32


def _check_reader(user: AnyUser) -> None:
    if not permissions.can_read(user):
        raise IncidentsForbidden(_("Major incidents are for the service desk and management."))


def open_incidents() -> QuerySet[MajorIncident]:
    """Incidents not resolved or reviewed yet, newest first (the banner, the link buttons)."""
    return (
        MajorIncident.objects.filter(status__in=OPEN_STATUSES)
        .select_related("commander")
        .order_by("-declared_at", "-pk")
    )


def incidents_for(user: AnyUser) -> QuerySet[MajorIncident]:
    """The incident list: open ones first, then the rest, newest first within each."""
    _check_reader(user)
    return (
        MajorIncident.objects.select_related("commander")
        .annotate(
            is_over=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_over", "-declared_at", "-pk")
    )


def incident_for(user: AnyUser, number: str) -> MajorIncident:
    """One incident by its ``MI-…`` number: 403 for someone who may not read incidents,
    404 (``IncidentNotFound``, an ``Http404``) when no such number exists."""
    _check_reader(user)
    if not number or len(number) > NUMBER_MAX or "\x00" in number:
        raise IncidentNotFound
    found = (
        MajorIncident.objects.select_related("commander", "declared_by", "source_ticket")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise IncidentNotFound
    return found


def members_of(incident: MajorIncident) -> QuerySet[IncidentMember]:
    return IncidentMember.objects.filter(incident=incident).select_related("user")


def notes_of(incident: MajorIncident) -> QuerySet[StatusNote]:
    return StatusNote.objects.filter(incident=incident).select_related("author")


def reports_of(incident: MajorIncident) -> QuerySet[IncidentReport]:
    return IncidentReport.objects.filter(incident=incident)


def linked_tickets_for(user: AnyUser, incident: MajorIncident) -> QuerySet[Ticket]:
    """The incident's linked tickets this reader may see, most recently linked first."""
    return (
        tickets_visible_to(user)
        .filter(incident_links__incident=incident)
        .select_related("requester", "site")
        .only(
            "number",
            "title",
            "state",
            "priority",
            "submitted_at",
            "requester__username",
            "requester__display_name",
            "requester__first_name",
            "requester__last_name",
            "site__name",
        )
        .order_by("-incident_links__linked_at", "-pk")
    )


def incidents_of_ticket(ticket: Ticket) -> QuerySet[MajorIncident]:
    """The incidents a ticket is linked to (the ticket page's notice), newest first."""
    return MajorIncident.objects.filter(links__ticket=ticket).order_by("-declared_at")


@dataclass(frozen=True)
class ReportShown:
    """A report on the timeline, with what a reader needs to know about its lateness."""

    report: IncidentReport
    due_at: dt.datetime  # the first slot it answers for (earlier than its slot when late)
    missed: int


def report_timeline(incident: MajorIncident) -> list[ReportShown]:
    """The reports oldest first, each with the slot it was first due for and how many
    slots went unreported before it (one query)."""
    shown = []
    previous = incident.declared_at
    for report in reports_of(incident):
        missed = clocks.missed_slots(previous, report.slot)
        shown.append(ReportShown(report, due_at=previous + clocks.REPORT_EVERY, missed=missed))
        previous = report.slot
    return shown
