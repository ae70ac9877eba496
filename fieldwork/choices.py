"""Enumerations of the engineer's work between accept and resolve."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentState(models.TextChoices):
    """What was decided; ``RemoteConsent.status`` adds ``expired`` from the clock."""

    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")


class ConsentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class WorkMode(models.TextChoices):
    REMOTE = "remote", _("Remote")
    ONSITE = "onsite", _("On site")
    PHONE = "phone", _("Phone")
    OTHER = "other", _("Other")


class VisitState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PROPOSED = "proposed", _("Another time proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class PlanApproach(models.TextChoices):
    """Least invasive first (R3.4)."""

    RESTART = "restart", _("Restart")
    ROLLBACK = "rollback", _("Configuration rollback")
    REPLACEMENT = "replacement", _("Replacement")
    OTHER = "other", _("Other")


class CheckResult(models.TextChoices):
    PENDING = "", _("Not checked yet")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "na", _("Not applicable")
