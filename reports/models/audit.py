"""The monthly process audit (R8.2): a reproducible sample of last month's closed tickets,
each checked against the checklist, pre-filled from the data and confirmed by an auditor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.limits import TEXT_MAX

__all__ = [
    "AuditCheck",
    "AuditCheckKey",
    "AuditResult",
    "AuditState",
    "AuditedTicket",
    "ProcessAudit",
]


class AuditState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AuditResult(models.TextChoices):
    PASSED = "passed", _("Passes")
    FAILED = "failed", _("Fails")
    NOT_APPLICABLE = "na", _("Not applicable")


class AuditCheckKey(models.TextChoices):
    """The checklist, in the order the page shows it."""

    RESPONDED = "responded", _("Responded in time")
    REMOTE_CONSENT = "remote_consent", _("Remote work only under a valid consent")
    DIAGNOSIS = "diagnosis", _("Diagnosis and solution recorded")
    FUNCTIONAL_CHECKS = "functional_checks", _("Functional checks recorded where required")
    VERIFIED = "verified", _("Verified by the requester")
    SURVEY = "survey", _("Satisfaction survey sent")


class ProcessAudit(models.Model):
    """One per month (``month`` its first day, in the desk's zone).

    The sample is drawn from the month's tickets closed as completed with
    ``random.Random(seed)`` over their ids in ascending order, stratified by priority
    (``reports.review.sampling``): the same seed over the same tickets gives the same
    sample. ``population`` keeps how many tickets each priority had when it was drawn.
    """

    month = models.DateField(_("month"), unique=True)
    seed = models.BigIntegerField(_("seed"))
    sample_size = models.PositiveSmallIntegerField(_("sample size"))
    population = models.JSONField(_("closed tickets per priority"), default=dict)
    drawn_at = models.DateTimeField(_("drawn at"))
    # Empty when beat drew it on the month's first working day.
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    state = models.CharField(
        _("state"), max_length=8, choices=AuditState.choices, default=AuditState.OPEN
    )
    improvement_actions = models.TextField(
        _("improvement actions"), max_length=TEXT_MAX, blank=True
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("process audit")
        verbose_name_plural = _("process audits")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open", closed_at__isnull=True)
                | Q(state="closed", closed_at__isnull=False),
                name="reports_processaudit_closed_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"audit {self.month:%Y-%m}"

    @property
    def is_open(self) -> bool:
        return self.state == AuditState.OPEN


class AuditedTicket(models.Model):
    """A ticket of the sample; ``confirmed_at`` once an auditor went through its checklist."""

    audit = models.ForeignKey(ProcessAudit, on_delete=models.CASCADE, related_name="items")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priority"), max_length=8)  # its stratum when drawn
    position = models.PositiveSmallIntegerField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "ticket"], name="reports_audit_ticket_once")
        ]

    def __str__(self) -> str:
        return f"{self.audit_id}:{self.ticket_id}"


class AuditCheck(models.Model):
    """One checklist item of one sampled ticket: what the data says (``data_result`` with
    ``detail`` saying why) and the result that counts, the data's until an auditor
    overrides it with a note."""

    item = models.ForeignKey(AuditedTicket, on_delete=models.CASCADE, related_name="checks")
    key = models.CharField(max_length=24, choices=AuditCheckKey.choices)
    data_result = models.CharField(max_length=8, choices=AuditResult.choices)
    detail = models.JSONField(default=dict, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=AuditResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="reports_audit_check_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.key}={self.result}"

    @property
    def is_overridden(self) -> bool:
        return self.result != self.data_result
