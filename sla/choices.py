"""Choices the SLA engine owns; features that have priorities reuse ``Priority``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Adjusted working day")


class RetriageRule(models.TextChoices):
    """What a priority change does to a clock that is still running."""

    RESTART = "restart", _("Restart unmet clocks at the change; never shorten a promise")
    FROM_SUBMISSION = "from_submission", _("Recalculate from the filing time")
