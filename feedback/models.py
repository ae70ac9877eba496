"""Satisfaction surveys (R5.3): one per verified ticket, answered by its requester."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.limits import TEXT_MAX
from tickets.models import Ticket

RATING = [MinValueValidator(1), MaxValueValidator(5)]


class Survey(models.Model):
    """Invited when the ticket is verified; the three ratings are empty until answered."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="surveys"
    )
    invited_at = models.DateTimeField(_("invited at"))
    # The verified ticket closes by itself at this moment when nobody answers.
    close_at = models.DateTimeField(_("closes unanswered at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed at"), null=True, blank=True)
    speed = models.PositiveSmallIntegerField(
        _("response speed"), null=True, blank=True, validators=RATING
    )
    quality = models.PositiveSmallIntegerField(
        _("solution quality"), null=True, blank=True, validators=RATING
    )
    attitude = models.PositiveSmallIntegerField(
        _("attitude"), null=True, blank=True, validators=RATING
    )
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)
    suggestions = models.TextField(_("suggestions"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            models.Index(fields=["answered_at"], name="feedback_survey_answered"),
            models.Index(
                fields=["close_at"],
                name="feedback_survey_close_due",
                condition=Q(answered_at__isnull=True, close_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(speed__isnull=True) | Q(speed__range=(1, 5)), name="survey_speed_1_5"
            ),
            models.CheckConstraint(
                condition=Q(quality__isnull=True) | Q(quality__range=(1, 5)),
                name="survey_quality_1_5",
            ),
            models.CheckConstraint(
                condition=Q(attitude__isnull=True) | Q(attitude__range=(1, 5)),
                name="survey_attitude_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.ticket_id}"
