"""The notification outbox: rows written in the transaction that causes them, sent after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")


class Notification(models.Model):
    """One message to one person on one channel.

    ``dedupe_key`` is unique: the cause (an SLA event, a ticket event) names
    itself there, so a cause retried or swept twice still notifies once.
    ``sent_at`` is set exactly once, by whoever wins the compare-and-set claim
    in ``tickets.notifications.send_notification``.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    kind = models.CharField(max_length=32)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="tickets_notification_pending",
                condition=Q(sent_at__isnull=True),
            ),
            models.Index(
                fields=["recipient", "-created_at"],
                name="tickets_notification_inbox",
                condition=Q(channel="in_app"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel})"
