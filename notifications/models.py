"""The notification outbox: rows written in the transaction that causes them, sent after.

Knows nothing of tickets or any other feature: a row carries the link to open
and a payload (``number``, ``title`` …) that the feature put there. The model
was born in ``tickets`` and kept its table (``tickets_notification``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications.choices import DigestScope, NotificationChannel, Urgency


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
    # How it travels (``Urgency``): an urgent row uses an IM's urgent mode where it has one.
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
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


class Digest(models.Model):
    """One writer's share of one person's notifications of one kind in one window, past the
    threshold: folded, and told (with the other writers' shares of the same window) as one
    message per channel when the window closes (``notifications.digests``).

    Also the window's counter: ``offered`` counts the notifications of the kind this writer
    (``writer``: its transaction) offered the person in the window; a writer sends one by
    one while the committed counts and its own stay under ``NOTIFY_DIGEST_THRESHOLD``. Each
    transaction keeps its own row, so writers never wait for each other (two at the very
    same moment may each send up to the threshold). A window that folded nothing is deleted
    when it closes. ``sent`` is how many of the row's items were told.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    kind = models.CharField(max_length=32)
    scope = models.CharField(max_length=8, choices=DigestScope.choices)
    window_start = models.DateTimeField()
    closes_at = models.DateTimeField()
    offered = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    writer = models.BigIntegerField()  # the writing transaction's id (txid_current())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "scope", "window_start", "writer"],
                name="notifications_digest_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["closes_at"],
                name="notifications_digest_due",
                condition=Q(closed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind} → {self.recipient_id} ({self.scope} {self.window_start:%Y-%m-%d %H:%M})"
        )


class DigestItem(models.Model):
    """One notification folded into a digest: its cause (once per window), and what the
    feature put in it to find it again (the number, the link).

    A window is told as one message from every writer's ``Digest`` row, so the item also
    carries its row's window — person, kind, scope, start — and a cause is unique in the
    window, not only in the row: a cause offered again by another transaction in the same
    window is not listed twice (the writers insert ``ON CONFLICT DO NOTHING``). The window
    columns are empty only on items written before they existed (left out of the key).
    """

    # No index of its own: the unique (digest, cause) one serves lookups by digest.
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    cause = models.CharField(max_length=200)
    number = models.CharField(max_length=64, blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    # The digest row's window (copied: a unique key cannot reach across the join).
    person = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001 (empty: old)
    scope = models.CharField(max_length=8, null=True, blank=True)  # noqa: DJ001 (empty: old)
    window_start = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "cause"], name="notifications_item_once"),
            models.UniqueConstraint(
                fields=["person", "kind", "scope", "window_start", "cause"],
                name="notifications_item_once_per_window",
                condition=Q(person__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.digest_id}: {self.number or self.cause}"


class QuietHours(models.Model):
    """A person's quiet hours, from ``starts`` to ``ends`` (past midnight when ``ends`` is
    earlier) in ``time_zone`` (their site's when they set them): only high and urgent
    notifications reach them outside the app then; the rest waits for the morning digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours"
    )
    starts = models.TimeField()
    ends = models.TimeField()
    time_zone = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.starts:%H:%M}–{self.ends:%H:%M} {self.time_zone}"
