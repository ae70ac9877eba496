"""The closed vocabularies of ``people``: skill levels and automatic-assignment modes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillLevel(models.IntegerChoices):
    """How well an engineer handles a category. Automatic assignment sends tickets only to
    level 2 and up; level 3 is offered high-priority tickets first."""

    LEARNING = 1, _("learning")
    INDEPENDENT = 2, _("independent")
    EXPERT = 3, _("expert")


class AssignMode(models.TextChoices):
    """``TICKETS_AUTO_ASSIGN`` and its per-site override (``SiteAssignment``)."""

    OFF = "off", _("off")
    ROUND_ROBIN = "round_robin", _("round robin")
    LEAST_LOADED = "least_loaded", _("least loaded")


class UnassignedNote(models.TextChoices):
    """Why automatic assignment gave a new ticket to nobody, from the first condition no
    skilled engineer met (kept on ``Ticket.assign_note``; ``%(category)s`` is the ticket's
    category in the reader's language)."""

    NO_SKILL = "no_skill", _("No engineer is skilled in %(category)s (level 2 or more).")
    UNAVAILABLE = (
        "unavailable",
        _("The engineers skilled in %(category)s are all off automatic assignment."),
    )
    NO_SITE = "no_site", _("No engineer skilled in %(category)s covers this site.")
    OFF_SHIFT = "off_shift", _("No engineer skilled in %(category)s is on shift.")


class AssignEntry(models.TextChoices):
    """The timeline entry of a ticket automatic assignment could not place (internal)."""

    NOT_ASSIGNED = "auto_unassigned", _("Not assigned automatically")
