"""Enumerations of the satisfaction survey (R5.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.IntegerChoices):
    """One answer on the 1–5 scale, the same words for every dimension."""

    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neutral")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


class Dimension(models.TextChoices):
    """What the requester rates: the survey's three rating fields, in the form's order."""

    SPEED = "speed", _("Response speed")
    QUALITY = "quality", _("Solution quality")
    ATTITUDE = "attitude", _("Service attitude")


DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)
# A rating at or below this in any dimension tells the tech leads (once per survey).
LOW_RATING = 2


class SurveyEntry(models.TextChoices):
    """Timeline entries of the survey (public: the requester reads her own answer)."""

    ANSWERED = "survey_answered", _("Satisfaction survey answered")
    CHANGED = "survey_changed", _("Satisfaction survey answer changed")
    CLOSED_UNANSWERED = "survey_closed_unanswered", _("Closed without a survey answer")


class SurveyNotice(models.TextChoices):
    """What people are told: the requester is invited; the tech leads hear of a low rating."""

    INVITED = "survey_invited", _("Please rate our service")
    LOW_RATING = "survey_low_rating", _("Low satisfaction rating")


class TimeoutKind(models.TextChoices):
    """What the survey's timed obligation records (``SurveyTimeout.kind``)."""

    CLOSE_UNANSWERED = "close_unanswered", _("Closed unanswered")
