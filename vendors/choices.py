"""Enumerations of vendor collaboration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReminderKind(models.TextChoices):
    """The notification kinds of the cadence, recorded under the same names."""

    UPDATE_DUE = "vendor_update_due", _("Vendor case: the requester is due an update")
    UPDATE_OVERDUE = "vendor_update_overdue", _("Vendor case: update 30 minutes overdue")
