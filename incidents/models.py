"""Major incidents (R7.1): the task force, restore first, management told every 30 minutes,
the post-incident review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.choices import ClockKind, IncidentStatus, MemberRole

TEXT_MAX = 20_000  # as tickets.limits.TEXT_MAX: enforced by the services


class IncidentCounter(models.Model):
    """The last ``MI-YYYYMMDD-NN`` sequence used on a day (row-locked when numbering)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class MajorIncident(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    impact = models.TextField(_("impact"), max_length=TEXT_MAX)
    affected_services = models.CharField(_("affected services"), max_length=500, blank=True)
    sites = models.ManyToManyField(
        "accounts.Site", blank=True, related_name="+", verbose_name=_("affected sites")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.INVESTIGATING,
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commanded_incidents",
        verbose_name=_("commander"),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared from"),
    )
    tickets = models.ManyToManyField(
        "tickets.Ticket", through="IncidentTicket", related_name="major_incidents", blank=True
    )
    stakeholders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("stakeholders told every 30 minutes"),
    )
    declared_at = models.DateTimeField(_("declared at"))
    task_force_due_at = models.DateTimeField(_("task force due by"))
    task_force_formed_at = models.DateTimeField(_("task force formed at"), null=True, blank=True)
    restoration = models.TextField(_("workaround or restoration"), max_length=TEXT_MAX, blank=True)
    restored_at = models.DateTimeField(_("service restored at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    last_note_at = models.DateTimeField(null=True, blank=True)
    # The obligations (sla/obligations.py): the next moment the sweep looks (the task-force
    # deadline, then each 30-minute report slot), NULL when nothing is due any more.
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_report_slot = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("major incident")
        verbose_name_plural = _("major incidents")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="incidents_due",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["status", "-declared_at"], name="incidents_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class IncidentMember(models.Model):
    incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incident_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    joined_at = models.DateTimeField()

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incidents_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.user_id} ({self.role})"


class IncidentTicket(models.Model):
    """A user ticket about the same outage, attached to the incident."""

    incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="incident_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["linked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "ticket"], name="incidents_ticket_once")
        ]
        indexes = [models.Index(fields=["ticket"], name="incidents_link_by_ticket")]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.ticket_id}"


class StatusNote(models.Model):
    """The commander's update: status at that moment, what was done, next steps."""

    incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    body = models.TextField(_("what was done"), max_length=TEXT_MAX)
    next_steps = models.TextField(_("next steps"), max_length=TEXT_MAX, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["incident", "created_at"], name="incidents_note_by_inc")]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.created_at:%H:%M}"


class IncidentClockEvent(models.Model):
    """What the sweep recorded: the task force late, or one report per 30-minute slot
    (``due_at`` is the slot). Unique, so two sweeps record (and send) it once."""

    incident = models.ForeignKey(
        MajorIncident, on_delete=models.CASCADE, related_name="clock_events"
    )
    kind = models.CharField(max_length=32, choices=ClockKind.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "due_at"], name="incidents_clock_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.kind}@{self.due_at:%H:%M}"


class IncidentReport(models.Model):
    """A management report as sent: kept on the incident and shown as a timeline."""

    incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="reports")
    slot = models.DateTimeField(_("report slot"))
    sent_at = models.DateTimeField(_("sent at"))
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    impact = models.TextField(max_length=TEXT_MAX)
    done_since_last = models.TextField(max_length=TEXT_MAX, blank=True)
    next_steps = models.TextField(max_length=TEXT_MAX, blank=True)
    no_new_status = models.BooleanField(default=False)
    is_late = models.BooleanField(default=False)
    next_report_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "slot"], name="incidents_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.slot:%H:%M}"


class PostIncidentReview(models.Model):
    incident = models.OneToOneField(MajorIncident, on_delete=models.CASCADE, related_name="review")
    root_cause = models.TextField(_("root cause"), max_length=TEXT_MAX)
    summary = models.TextField(_("summary"), max_length=TEXT_MAX, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"review of {self.incident_id}"


class ReviewAction(models.Model):
    review = models.ForeignKey(PostIncidentReview, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description
