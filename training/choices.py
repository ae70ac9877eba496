"""The closed vocabularies of training: kinds, attendance, drill progress, notices."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# An assessment passes at this score unless its session says otherwise.
DEFAULT_PASS_MARK = 60


class TrainingKind(models.TextChoices):
    """R8.1: technical training ("deploying the new OS") and service training ("talking to
    users")."""

    TECHNICAL = "technical", _("Technical training")
    SERVICE = "service", _("Service training")


class AssessmentKind(models.TextChoices):
    """What an assessment scored: a technical or a service skill, or a practical drill."""

    TECHNICAL = "technical", _("Technical")
    SERVICE = "service", _("Service")
    DRILL = "drill", _("Drill")


class AttendanceStatus(models.TextChoices):
    """An attendee's place in a session: invited until the trainer records the day."""

    INVITED = "invited", _("Invited")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")


# What a trainer records (``invited`` is where everyone starts).
RECORDED = (AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT)


class DrillStatus(models.TextChoices):
    """A drill's progress: made, opened by its engineer (the clock runs), answered, scored;
    or withdrawn by a tech lead before it was answered."""

    ASSIGNED = "assigned", _("Not started")
    STARTED = "started", _("In progress")
    ANSWERED = "answered", _("Answered, waiting for a score")
    SCORED = "scored", _("Scored")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Drills still in the engineer's hands.
OPEN_DRILL = (DrillStatus.ASSIGNED, DrillStatus.STARTED)


class TrainingNotice(models.TextChoices):
    """What people are told: attendees (and the trainer) of a session, the engineer of a
    drill."""

    INVITED = "training_invited", _("You are invited to a training")
    MOVED = "training_moved", _("A training you are in has moved")
    CANCELLED = "training_cancelled", _("A training you are in is cancelled")
    DRILL_ASSIGNED = "drill_assigned", _("A drill for you")
    DRILL_SCORED = "drill_scored", _("Your drill was scored")
    DRILL_WITHDRAWN = "drill_withdrawn", _("A drill for you was withdrawn")
