"""A light device register: what a technician needs to know before a visit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assets.permissions import ASSET_PERMISSIONS


class AssetKind(models.TextChoices):
    DESKTOP = "desktop", _("Desktop")
    LAPTOP = "laptop", _("Laptop")
    PRINTER = "printer", _("Printer")
    SERVER = "server", _("Server")
    NETWORK = "network", _("Network device")
    PHONE = "phone", _("Phone")
    OTHER = "other", _("Other")


class Asset(models.Model):
    """A device: model, version, where it is, whose it is, warranty."""

    tag = models.CharField(_("asset tag"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    os_version = models.CharField(_("OS / firmware version"), max_length=100, blank=True)
    site = models.ForeignKey(
        "accounts.Site", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("owner"),
    )
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)

    class Meta:
        ordering = ["tag"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        # A copy, typed as Django's option; the declaration (assets/permissions.py) stays str.
        permissions = list(ASSET_PERMISSIONS)

    def __str__(self) -> str:
        return f"{self.tag} {self.vendor} {self.model}".strip()

    @property
    def description(self) -> str:
        parts = [self.vendor, self.model, self.os_version]
        return " ".join(p for p in parts if p)


class MaintenanceRecord(models.Model):
    """Work done on a device: when, for which ticket, what was done, which parts."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="maintenance")
    date = models.DateField(_("date"))
    # By name: tickets sit above assets, which never imports them.
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maintenance_records",
        verbose_name=_("ticket"),
    )
    work_done = models.TextField(_("work done"), max_length=20_000)
    parts = models.CharField(_("parts replaced"), max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")
        indexes = [models.Index(fields=["asset", "-date"], name="assets_maint_by_asset")]

    def __str__(self) -> str:
        return f"{self.asset_id}:{self.date}"
