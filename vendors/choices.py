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


class CaseEntry(models.TextChoices):
    """The ticket timeline's entries about vendor cases (``TicketEvent.kind``)."""

    OPENED = "vendor_case_opened", _("Vendor case opened")
    UPDATE_RECORDED = "vendor_update_recorded", _("Vendor update recorded")
    REMINDER_DUE = "vendor_reminder_due", _("Requester update due (vendor case)")
    REMINDER_OVERDUE = "vendor_reminder_overdue", _("Requester update overdue (vendor case)")
    CLOSED = "vendor_case_closed", _("Vendor case closed")


class VendorNotice(models.TextChoices):
    """What the requester (and the ticket's followers) hear about vendor cases."""

    CASE_OPENED = "vendor_case_opened", _("Your ticket is waiting on a vendor")


# Entries the requester reads (the vendor's name only); the others are the desk's.
PUBLIC_ENTRIES = frozenset({CaseEntry.OPENED, CaseEntry.CLOSED})
