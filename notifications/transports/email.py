"""E-mail transport: one multipart/alternative message (plain text and HTML) per row, in the
recipient's language and time zone (``notifications.email.render``), with the headers that
let them reply to the ticket, thread it and stop it (``notifications.email.headers``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils import translation

from notifications import reply_tokens
from notifications.email import about, headers, unsubscribe
from notifications.email.render import bcp47
from notifications.email.render import render as render_parts
from notifications.models import Notification


def _token(notification: Notification) -> str:
    """The reply token when the row is about a ticket, else ""."""
    ticket_id = about.ticket_id(notification.number)
    return reply_tokens.make(ticket_id, notification.recipient_id) if ticket_id else ""


def _stop_url(notification: Notification) -> str:
    return unsubscribe.url(notification.recipient_id, notification.kind)


def render(notification: Notification) -> tuple[str, str]:
    """Subject (one line, without the reply reference) and plain-text body."""
    rendered = render_parts(
        notification, unsubscribe_url=_stop_url(notification), reply=bool(_token(notification))
    )
    return rendered.subject, rendered.text


def message(notification: Notification) -> EmailMultiAlternatives:
    """The whole message for one row, ready to send."""
    address = notification.recipient.email
    try:
        validate_email(address)
    except ValidationError:  # (the outbox keeps the reason; an admin fixes the address)
        raise ValueError("no valid e-mail address") from None
    token = _token(notification)
    stop_url = _stop_url(notification)
    rendered = render_parts(notification, unsubscribe_url=stop_url, reply=bool(token))
    subject = rendered.subject
    if token:
        subject = f"{subject} {reply_tokens.subject_tag(token)}"
    with translation.override(rendered.language):
        from_email = headers.sender()
    mail = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text,
        from_email=from_email,
        to=[address],
        reply_to=(
            [reply_tokens.reply_address(token)]
            if token and settings.EMAIL_PLUS_ADDRESSING
            else None
        ),
        headers=headers.build(
            notification_id=notification.pk,
            number=notification.number,
            unsubscribe_url=stop_url,
            language=bcp47(rendered.language),
        ),
    )
    mail.attach_alternative(rendered.html, "text/html")
    return mail


def send_mail(mail: EmailMultiAlternatives) -> None:
    """Hand the message to the configured backend (raises on failure: the row is retried)."""
    mail.send()


def send(notification: Notification) -> None:
    send_mail(message(notification))
