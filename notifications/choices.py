"""The outbox's own choices. Notification *kinds* belong to the features (``kinds.py``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    # Direct messages on the company IMs, to the person's own ID there (``User.<channel>_id``);
    # their transports are plugged in by ``channels`` (``transports.register``).
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    SLACK = "slack", "Slack"


# The IM channels: a person gets one only with an ID there, and only once its transport
# is registered and set up (``transports.available``).
IM_CHANNELS: tuple[str, ...] = (
    NotificationChannel.WECOM,
    NotificationChannel.DINGTALK,
    NotificationChannel.FEISHU,
    NotificationChannel.SLACK,
)


class Urgency(models.TextChoices):
    """How a notification travels (``outbox.insert``, ``digests``); the feature decides,
    a kind may raise it (``kinds.at_least``).

    ``low``: only in the window's digest (a tech lead's overview of breaches);
    ``normal``: one by one up to ``NOTIFY_DIGEST_THRESHOLD`` a window, then folded into the
    window's digest, and outside the app held in the person's quiet hours for the morning
    digest; ``high``: at once, never folded, through quiet hours; ``urgent``: as ``high``,
    and marked urgent (an IM's urgent mode where it has one, the message says so).
    """

    LOW = "low", _("Digest only")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# What may be folded into a digest; the rest goes at once.
FOLDED_URGENCIES: tuple[str, ...] = (Urgency.LOW, Urgency.NORMAL)
URGENCY_ORDER: tuple[str, ...] = (Urgency.LOW, Urgency.NORMAL, Urgency.HIGH, Urgency.URGENT)


class DigestScope(models.TextChoices):
    """Which channels a digest goes to: all of the person's, the app only (their quiet
    hours: the rest waits for the morning), or outside the app only (the morning digest)."""

    ALL = "all", _("Every channel")
    APP = "app", _("In the app")
    OUTSIDE = "outside", _("Outside the app")
