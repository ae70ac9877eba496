"""Reports keep no data of their own yet; this row-less model only carries the permission."""

from __future__ import annotations

from django.db import models

from reports.permissions import REPORT_PERMISSIONS


class ReportAccess(models.Model):
    """No table: a holder for ``reports.view_reports`` (Saleor-style permission enum)."""

    class Meta:
        managed = False
        default_permissions = ()
        # A copy, typed as Django's option (names may be lazy); the declaration stays str.
        permissions = list(REPORT_PERMISSIONS)

    def __str__(self) -> str:
        return "reports"
