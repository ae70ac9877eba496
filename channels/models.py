"""What the channels remember: every inbound IM message once (de-duplication, kept at
least 24 hours: providers retry for that long), and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from channels.choices import INBOUND_SOURCES, InboundOutcome, Provider


class InboundMessage(models.Model):
    """One provider event, recorded in the transaction that handles it: a redelivery finds
    it (unique on provider and the provider's own event id) and does nothing more."""

    provider = models.CharField(_("provider"), max_length=16, choices=INBOUND_SOURCES)
    event_id = models.CharField(_("event id"), max_length=128)
    sender = models.CharField(_("sender"), max_length=128, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("inbound IM message")
        verbose_name_plural = _("inbound IM messages")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="channels_inbound_once")
        ]
        indexes = [models.Index(fields=["received_at"], name="channels_inbound_received")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class OutboundThread(models.Model):
    """A message the desk sent about a ticket, by the provider's id of its thread (or of the
    message itself, which replies point at): a reply in that thread is a reply on the ticket
    (``channels.intake.core``). Written by ``remember_thread`` after a send, and at intake
    for the thread a ticket was filed from. One ticket per thread: the first one stands."""

    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    thread_id = models.CharField(_("thread id"), max_length=128)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket")
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("IM thread of a ticket")
        verbose_name_plural = _("IM threads of tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "thread_id"], name="channels_outboundthread_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.thread_id}"


class Robot(models.Model):
    """A group robot: the desk posts the notifications of some kinds to a group chat (a
    site's IT group, a team's channel) through the robot's webhook, in the provider's card
    or markdown format (``channels.robots``). Managed in the admin."""

    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=100)
    # The provider's webhook URL (WeCom's carries its key, DingTalk's its access token).
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    # DingTalk's and Feishu's signing secret ("加签"); empty when the robot is not signed.
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    site = models.ForeignKey(
        "accounts.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
        help_text=_("Only news about this site's tickets; empty: every site."),
    )
    kinds = ArrayField(
        models.CharField(max_length=32),
        default=list,
        blank=True,
        verbose_name=_("notification kinds"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RobotPost(models.Model):
    """One message to one robot about one cause, written in the transaction that caused
    it and sent after, like the outbox's rows (claimed by compare-and-set, retried)."""

    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=32)
    link = models.CharField(max_length=500, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)
    # The cause, the kind and the robot: a cause written twice posts once.
    dedupe_key = models.CharField(max_length=250, unique=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("group robot message")
        verbose_name_plural = _("group robot messages")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="channels_robotpost_pending",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.robot_id}"
