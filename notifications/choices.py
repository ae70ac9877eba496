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
