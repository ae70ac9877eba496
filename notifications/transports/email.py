"""E-mail transport: a plain-text message in the recipient's language and time zone."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications import kinds, times
from notifications.models import Notification


def absolute_link(notification: Notification) -> str:
    return settings.SITE_URL.rstrip("/") + (notification.link or "/")


def render(notification: Notification) -> tuple[str, str]:
    """Subject (one line) and body, rendered in the recipient's language."""
    recipient = notification.recipient
    language = recipient.language or settings.LANGUAGE_CODE
    zone = times.reader_zone(recipient)
    with translation.override(language), timezone.override(zone):
        context = {
            "notification": notification,
            "recipient": recipient,
            "label": kinds.label(notification.kind),
            "number": notification.number,
            "title": notification.payload.get("title", ""),
            # Times the feature stored as ISO strings, in the reader's zone, for people.
            "payload": times.readable_payload(notification.payload, zone),
            "url": absolute_link(notification),
        }
        subject = render_to_string("notifications/email_subject.txt", context).strip()
        # A kind whose message carries more than its title (an incident's management
        # report) brings its own body, ``notifications/email/<kind>.txt``.
        body = render_to_string(
            [f"notifications/email/{notification.kind}.txt", "notifications/email_body.txt"],
            context,
        )
    return " ".join(subject.split()), body


def send(notification: Notification) -> None:
    subject, body = render(notification)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
