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
