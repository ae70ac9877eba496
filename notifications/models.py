"""The notification outbox: rows written in the transaction that causes them, sent after.

Knows nothing of tickets or any other feature: a row carries the link to open
and a payload (``number``, ``title`` …) that the feature put there. The model
was born in ``tickets`` and kept its table (``tickets_notification``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications.choices import NotificationChannel


class Notification(models.Model):
    """One message to one person on one channel.

    ``dedupe_key`` is unique: the cause (an SLA event, a ticket event) names
    itself there, so a cause retried or swept twice still notifies once.
    ``sent_at`` is set exactly once, by whoever wins the compare-and-set claim
    in ``notifications.delivery.send_notification``.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    # A kind some feature registered (``notifications.kinds``); labels come from there.
    kind = models.CharField(max_length=32)
    # Where the person goes from the bell or the e-mail: a path on this site.
    link = models.CharField(max_length=500, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "tickets_notification"
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

    @property
    def number(self) -> str:
        """The human number of what this is about (a ticket, an incident), if any."""
        return str(self.payload.get("number", ""))


class Preference(models.Model):
    """A person's own choice for one kind of notification on one channel.

    Only choices that differ from their role's default are stored (``preferences``):
    a cell left at its default follows the role, should the role or the default change.
    Read by the outbox writer in the same statement that inserts the rows.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32)
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notifications_preference_once"
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.user_id}: {self.kind} on {self.channel} {state}"
