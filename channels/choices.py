"""The channels' fixed vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    SLACK = "slack", "Slack"


# What an inbound message came through: an IM provider, or mail (``channels.email``; not a
# ``Provider``: no callback route, no robot, no linked IM id).
EMAIL = "email"
INBOUND_SOURCES = [*Provider.choices, (EMAIL, _("E-mail"))]


class InboundOutcome(models.TextChoices):
    FILED = "filed", _("Ticket filed")
    REPLIED = "replied", _("Reply on a ticket")
    COMMAND = "command", _("Command")
    IGNORED = "ignored", _("Ignored")
    UNKNOWN_SENDER = "unknown_sender", _("Unknown sender")
