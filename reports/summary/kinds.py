"""The notification kinds of the scheduled summaries (registered from ``ReportsConfig``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SummaryNotice(models.TextChoices):
    WEEKLY = "reports_weekly_summary", _("Weekly service desk summary")
    MONTHLY = "reports_monthly_summary", _("Monthly service desk summary")
