"""Vendors and the cases a ticket opens with them, with the 2-hour update cadence (R4.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vendors.choices import CaseStatus, ReminderKind

TEXT_MAX = 20_000  # as tickets.limits.TEXT_MAX: enforced by the services


class Vendor(models.Model):
    """A supplier or maintainer: who to call, under which contract or warranty."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contacts = models.TextField(_("contacts"), max_length=TEXT_MAX, blank=True)
    contract_reference = models.CharField(_("contract reference"), max_length=200, blank=True)
    warranty_reference = models.CharField(_("warranty reference"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class VendorCase(models.Model):
    """A case opened with a vendor for a ticket. While open, the ticket waits on the vendor
    (its resolution clock paused) and the requester must hear of progress every 2 hours:
    ``next_update_due_at`` is that promise; ``next_check_at`` is when the sweep looks next
    (the due time, then 30 minutes later for the tech leads)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="vendor_cases"
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="cases", verbose_name=_("vendor")
    )
    vendor_reference = models.CharField(_("vendor's reference"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), max_length=TEXT_MAX)
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    evidence = models.ManyToManyField(
        "tickets.Attachment", blank=True, related_name="+", verbose_name=_("evidence")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.CharField(_("outcome"), max_length=500, blank=True)
    last_update_at = models.DateTimeField(_("requester last updated"), null=True, blank=True)
    next_update_due_at = models.DateTimeField(_("next update due"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("vendor case")
        verbose_name_plural = _("vendor cases")
        indexes = [
            models.Index(fields=["ticket", "opened_at"], name="vendors_case_ticket"),
            models.Index(
                fields=["next_check_at"],
                name="vendors_case_due",
                condition=Q(next_check_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id}:{self.vendor_reference or self.pk} ({self.status})"


class VendorCaseUpdate(models.Model):
    """News from the vendor on a case (what they said, when), kept with the case."""

    case = models.ForeignKey(VendorCase, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("update"), max_length=TEXT_MAX)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="vendors_update_case")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.created_at:%Y-%m-%d %H:%M}"


class VendorReminder(models.Model):
    """A cadence reminder the sweep recorded: unique per case, kind and due time, so two
    sweeps record (and notify) it once."""

    case = models.ForeignKey(VendorCase, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "due_at"], name="vendors_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}@{self.due_at:%Y-%m-%d %H:%M}"
