"""Satisfaction surveys (R5.3): one per verified ticket, answered by its requester.

The reports (``reports``) read these columns by name: ``ticket``, ``requester``,
``invited_at``, ``close_at``, ``answered_at``, ``updated_at``, ``speed``, ``quality``,
``attitude``, ``comment``, ``suggestions``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.choices import TimeoutKind
from tickets.limits import TEXT_MAX
from tickets.models import Ticket

RATING = [MinValueValidator(1), MaxValueValidator(5)]


class Survey(models.Model):
    """Invited when the ticket is verified; the three ratings are empty until answered.

    Invariants: one survey per ticket (its first verification creates it, a verification
    after a reopen re-arms it); the three ratings are set together with ``answered_at``
    (the first answer) or not at all; ``close_at`` is set only while the survey waits for
    its first answer on a verified ticket — it is the timed obligation's next check
    (``feedback.obligations``), cleared by the answer, the time-out or a reopen.
    """

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
    # The tech leads were told of a rating of 2 or less (once per survey, whatever changes).
    low_rating_notified_at = models.DateTimeField(
        _("tech leads told of a low rating at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            models.Index(fields=["answered_at"], name="feedback_survey_answered"),
            # The sweep's claim (``close_at <= now``): only rows it still has to look at.
            models.Index(
                fields=["close_at"],
                name="feedback_survey_close_at_due",
                condition=Q(close_at__isnull=False),
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
            models.CheckConstraint(
                condition=(
                    Q(
                        answered_at__isnull=True,
                        speed__isnull=True,
                        quality__isnull=True,
                        attitude__isnull=True,
                    )
                    | Q(
                        answered_at__isnull=False,
                        speed__isnull=False,
                        quality__isnull=False,
                        attitude__isnull=False,
                    )
                ),
                name="feedback_survey_rated_when_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.ticket_id}"


class SurveyTimeout(models.Model):
    """What the survey's timed obligation recorded: unique on (survey, kind, due time), so
    the ticket closes unanswered once however many sweeps run (``feedback.obligations``)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="timeouts")
    kind = models.CharField(_("kind"), max_length=32, choices=TimeoutKind.choices)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("survey time-out")
        verbose_name_plural = _("survey time-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind", "due_at"], name="feedback_surveytimeout_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.survey_id} {self.due_at:%Y-%m-%d %H:%M}"
