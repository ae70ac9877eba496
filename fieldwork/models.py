"""What an engineer does between accepting and resolving a ticket (R3.1–R3.5, R4.1–R4.2, R5.2):
remote-session consent, the work log, on-site visits, the plan and its window, functional
checks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fieldwork.choices import (
    CheckResult,
    ConsentState,
    ConsentStatus,
    PlanApproach,
    VisitState,
    WorkMode,
)

TEXT_MAX = 20_000  # as tickets.limits.TEXT_MAX: enforced by the services


class RemoteConsent(models.Model):
    """The requester's permission for a remote session: asked by an engineer, granted or
    refused by the requester, revocable; valid from ``granted_at`` until ``expires_at``."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="remote_consents"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    tool = models.CharField(_("remote tool"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=500)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    state = models.CharField(
        max_length=16, choices=ConsentState.choices, default=ConsentState.REQUESTED
    )
    requested_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("reason"), max_length=500, blank=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("remote-session consent")
        verbose_name_plural = _("remote-session consents")
        indexes = [models.Index(fields=["ticket", "requested_at"], name="fieldwork_consent_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.tool} ({self.state})"

    def status_at(self, moment: dt.datetime) -> str:
        """The state, with ``expired`` as soon as ``expires_at`` has passed (no sweep needed)."""
        if (
            self.state == ConsentState.GRANTED
            and self.expires_at is not None
            and moment >= self.expires_at
        ):
            return ConsentStatus.EXPIRED
        return str(self.state)

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def covers(self, moment: dt.datetime) -> bool:
        """A grant valid at ``moment`` (granted before it, not expired, not yet revoked)."""
        return (
            self.granted_at is not None
            and self.expires_at is not None
            and self.granted_at <= moment < self.expires_at
            and (self.revoked_at is None or moment < self.revoked_at)
        )


class WorkLog(models.Model):
    """One timestamped piece of work: what, how long, how (remote, on site …), public or not."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="work_logs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("what was done"), max_length=TEXT_MAX)
    minutes = models.PositiveIntegerField(_("minutes spent"))
    mode = models.CharField(_("mode"), max_length=16, choices=WorkMode.choices)
    is_public = models.BooleanField(_("shown to the requester"), default=False)
    performed_at = models.DateTimeField(_("performed at"))
    created_at = models.DateTimeField()
    consent = models.ForeignKey(
        RemoteConsent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_logs",
        help_text=_("The grant that covered a remote operation."),
    )
    parts_used = models.CharField(_("parts replaced"), max_length=500, blank=True)

    class Meta:
        ordering = ["performed_at", "pk"]
        verbose_name = _("work-log entry")
        verbose_name_plural = _("work log")
        indexes = [
            models.Index(fields=["ticket", "performed_at"], name="fieldwork_worklog_ticket"),
            models.Index(fields=["author", "performed_at"], name="fieldwork_worklog_author"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.minutes} min {self.mode}"


class SiteVisit(models.Model):
    """An on-site visit: agreed time, what to bring; afterwards what was found and done."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="site_visits"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_visits"
    )
    scheduled_at = models.DateTimeField(_("visit time"))
    state = models.CharField(
        max_length=16, choices=VisitState.choices, default=VisitState.SCHEDULED
    )
    bring = models.CharField(_("parts and tools to bring"), max_length=500, blank=True)
    proposed_at = models.DateTimeField(_("time proposed by the requester"), null=True, blank=True)
    proposal_note = models.CharField(_("note"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # After the visit (R4.2)
    indicator_lights = models.CharField(_("indicator lights"), max_length=200, blank=True)
    physical_damage = models.CharField(_("physical damage"), max_length=500, blank=True)
    work_done = models.TextField(_("what was done"), max_length=TEXT_MAX, blank=True)
    parts_used = models.CharField(_("parts used"), max_length=500, blank=True)
    site_cleaned = models.BooleanField(_("site cleaned up"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        verbose_name = _("on-site visit")
        verbose_name_plural = _("on-site visits")
        indexes = [
            models.Index(fields=["ticket", "scheduled_at"], name="fieldwork_visit_ticket"),
            models.Index(fields=["engineer", "scheduled_at"], name="fieldwork_visit_engineer"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.scheduled_at:%Y-%m-%d %H:%M} ({self.state})"


class WorkPlan(models.Model):
    """The diagnosis' evidence and the plan (R3.3–R3.5): log references, the least invasive
    approach first, its risk, and an operation window the requester confirms."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="work_plan"
    )
    fault_triggered_at = models.DateTimeField(_("fault triggered at"), null=True, blank=True)
    related_operation = models.CharField(_("related operation"), max_length=500, blank=True)
    log_references = models.TextField(_("log references"), max_length=TEXT_MAX, blank=True)
    # Logs picked among the ticket's attachments (R3.3 "attach and reference the logs").
    log_attachments = models.ManyToManyField(
        "tickets.Attachment", blank=True, related_name="+", verbose_name=_("attached logs")
    )
    approach = models.CharField(_("approach"), max_length=16, choices=PlanApproach.choices)
    risk = models.CharField(_("risk"), max_length=500, blank=True)
    window_start = models.DateTimeField(_("operation window from"), null=True, blank=True)
    window_end = models.DateTimeField(_("operation window until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.approach}"


class CheckTemplate(models.Model):
    """A default functional check for tickets of a category (e.g. "log in with a test
    account" for the business systems)."""

    category = models.ForeignKey(
        "tickets.Category", on_delete=models.CASCADE, related_name="check_templates"
    )
    label = models.CharField(_("check (Chinese)"), max_length=200)
    label_en = models.CharField(_("check (English)"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "sort_order", "pk"]
        verbose_name = _("default functional check")
        verbose_name_plural = _("default functional checks")

    def __str__(self) -> str:
        return self.label


class FunctionalCheck(models.Model):
    """One check the engineer records before resolving (R5.2)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="functional_checks"
    )
    label = models.CharField(_("check"), max_length=200)
    result = models.CharField(
        _("result"), max_length=8, choices=CheckResult.choices, blank=True, default=""
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("functional check")
        verbose_name_plural = _("functional checks")
        indexes = [models.Index(fields=["ticket", "sort_order"], name="fieldwork_check_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.label} ({self.result or '-'})"
