"""Enumerations of major incidents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    RESTORED = "restored", _("Service restored")
    RESOLVED = "resolved", _("Resolved")
    REVIEWED = "reviewed", _("Reviewed")


# While one of these, management hears every 30 minutes.
REPORTING_STATUSES = frozenset({IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED})
OPEN_STATUSES = frozenset(
    {IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.RESTORED}
)


class MemberRole(models.TextChoices):
    COMMANDER = "commander", _("Commander")
    ENGINEER = "engineer", _("Engineer")


class ClockKind(models.TextChoices):
    """What the incident's sweep records: the task-force deadline and each report slot."""

    TASK_FORCE_LATE = "incident_task_force_late", _("Task force not formed in 10 minutes")
    REPORT = "incident_report", _("Management report")


class IncidentNotice(models.TextChoices):
    """What people are told about a major incident, besides the sweep's ``ClockKind``s
    (registered as notification kinds too). Every row carries the ``MI-…`` number."""

    DECLARED = "incident_declared", _("Major incident declared")
    TICKET_LINKED = "incident_ticket_linked", _("Your ticket is part of a major incident")
    MEMBER_ADDED = "incident_member_added", _("You are on a major incident's task force")
    STATUS_REMINDER = "incident_status_reminder", _("Write the incident's status note")
    RESTORED = "incident_restored", _("Service restored")
    RESOLVED = "incident_resolved", _("Major incident resolved")


class IncidentEntry(models.TextChoices):
    """Timeline entries (``TicketEvent`` kinds) on a linked ticket."""

    LINKED = "incident_linked", _("Part of a major incident")
