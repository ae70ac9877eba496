"""Training sessions and their attendance, assessments, and drills built from solved tickets.

A session (R8.1) is technical or service training with a trainer, attendees, materials
(knowledge articles, uploaded files) and the skills it adds to an attendee who passes its
assessment (``people.services.skills.grant``). An assessment is one score (0–100) of one
engineer. A drill replays a resolved ticket: its engineer sees the symptom copied from the
ticket (never the ticket itself), answers within a time limit, and a tech lead scores it
against what really solved the ticket; the score is an assessment of kind ``drill``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from people.choices import SkillLevel
from tickets.models import PrivateStorage
from training.choices import (
    DEFAULT_PASS_MARK,
    AssessmentKind,
    AttendanceStatus,
    DrillStatus,
    TrainingKind,
)
from training.permissions import TRAINING_PERMISSIONS

TEXT_MAX = 20_000  # as tickets.limits.TEXT_MAX: enforced by the services


class TrainingSession(models.Model):
    """One training, at one time, for its attendees. ``starts_at`` is an instant; pages show
    it in the reader's zone."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    description = models.TextField(_("agenda"), max_length=TEXT_MAX, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("where"), max_length=200, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("trainer"),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        default=DEFAULT_PASS_MARK,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    articles = models.ManyToManyField(
        "knowledge.Article", blank=True, related_name="+", verbose_name=_("knowledge articles")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Cancelled: kept (its attendees were told, the calendar shows it struck out), never
    # deleted; nothing more is recorded on it.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # only ever read with its row
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.TextField(
        _("why cancelled"), max_length=TEXT_MAX, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        permissions = list(TRAINING_PERMISSIONS)
        indexes = [models.Index(fields=["starts_at"], name="training_session_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__lte=100), name="training_session_pass_mark_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        """How notices name a session (a ticket has its ``IT-…`` number)."""
        return f"TR-{self.pk}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Attendance(models.Model):
    """An attendee of a session and whether they came (recorded by the trainer or a lead)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_attendance",
        verbose_name=_("attendee"),
    )
    status = models.CharField(
        _("attendance"),
        max_length=16,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "engineer"], name="training_attend_once")
        ]
        indexes = [models.Index(fields=["engineer", "status"], name="training_attend_engineer")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.engineer_id} {self.status}"


class SessionSkill(models.Model):
    """A skill an attendee gains by passing the session's assessment (never lowered)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="skills")
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "category"], name="training_skill_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.category_id}@{self.level}"


def material_path(instance: Material, filename: str) -> str:
    """A random name under a date folder; the user's file name is kept only in the row."""
    suffix = PurePath(instance.original_name).suffix.lower()[:10]
    safe_suffix = suffix if suffix[1:].isalnum() else ""
    return f"training/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{safe_suffix}.bin"


class Material(models.Model):
    """An uploaded file of a session (slides, a handout), stored privately, served as a
    download to the session's readers only."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=PrivateStorage, upload_to=material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Assessment(models.Model):
    """One engineer's score for one kind, with notes; ``passed`` against the session's pass
    mark (``DEFAULT_PASS_MARK`` without one). ``skills_granted`` keeps what the pass raised
    (``[{"category": slug, "level": n}]``), for the record."""

    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("engineer"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AssessmentKind.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("training session"),
    )
    passed = models.BooleanField(_("passed"))
    skills_granted = models.JSONField(default=list, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="training_score_0_100")
        ]
        indexes = [
            models.Index(fields=["engineer", "assessed_at"], name="training_assess_engineer"),
            models.Index(fields=["assessed_at"], name="training_assess_at"),
        ]

    def __str__(self) -> str:
        return f"{self.engineer_id} {self.kind} {self.score}"


class Drill(models.Model):
    """A practical assessment built from a resolved ticket ("simulated diagnosis of a complex
    fault"). ``title``, ``symptom`` and ``scenario`` are copies the tech lead may reword
    (so the ticket cannot be found by its words); the ticket's own fields are the answer
    key, shown to the engineer only once scored. ``deadline_at`` is ``started_at`` plus the
    time limit; an answer after it is kept and marked late."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="+", verbose_name=_("ticket")
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="drills",
        verbose_name=_("engineer"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DrillStatus.choices, default=DrillStatus.ASSIGNED
    )
    title = models.CharField(_("symptom in a line"), max_length=200)
    symptom = models.TextField(_("symptom"), max_length=TEXT_MAX)
    scenario = models.TextField(_("scenario"), max_length=TEXT_MAX, blank=True)
    attachments = models.ManyToManyField(
        "tickets.Attachment", blank=True, related_name="+", verbose_name=_("files")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    diagnosis = models.TextField(_("diagnosis"), max_length=TEXT_MAX, blank=True)
    plan = models.TextField(_("plan"), max_length=TEXT_MAX, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    is_late = models.BooleanField(_("answered late"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # only ever read with its row
        verbose_name=_("withdrawn by"),
    )
    assessment = models.OneToOneField(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="drill"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        indexes = [
            models.Index(fields=["engineer", "status"], name="training_drill_engineer"),
            models.Index(fields=["status", "answered_at"], name="training_drill_status"),
            models.Index(fields=["ticket"], name="training_drill_ticket"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(deadline_at__isnull=False),
                name="training_drill_started_has_deadline",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """How pages and notices name a drill: never by its ticket's number."""
        return f"DR-{self.pk}"
