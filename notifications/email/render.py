"""What a notification e-mail says, as plain text and as HTML, in its reader's language and
time zone.

Both parts come from templates: the plain text from ``notifications/email/<kind>.txt`` for a
kind that brings its own body (an incident's management report, a survey invitation …),
else ``notifications/email_body.txt``; the HTML from ``notifications/email/<kind>.html``,
else ``notifications/email/_body.html``, each inside the one layout every kind shares
(``_layout.html``: inline styles, tables, no image or script, 600 px wide at most and
narrower on a phone, so Outlook, Foxmail, QQ Mail and Gmail show it alike). The HTML is
autoescaped: people's text (a title, a report's impact) is shown, never run.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from notifications import kinds, times
from notifications.email.headers import one_line
from notifications.models import Notification

# The layout's inline styles (e-mail clients drop <style> blocks or parts of them).
_FONT = (
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "'PingFang SC','Hiragino Sans GB','Microsoft YaHei',sans-serif;"
)
CSS: dict[str, SafeString] = {
    name: mark_safe(_FONT + rule)  # noqa: S308 (constants, no one's text)
    for name, rule in {
        "p": "margin:0 0 14px;font-size:15px;line-height:24px;color:#182433;",
        "note": "margin:0 0 14px;padding:10px 14px;font-size:14px;line-height:22px;"
        "color:#182433;background-color:#fff7e6;border-left:4px solid #f59f00;",
        "h2": "margin:18px 0 6px;font-size:13px;line-height:20px;font-weight:600;"
        "color:#667382;text-transform:uppercase;letter-spacing:.02em;",
        "block": "margin:0 0 14px;font-size:15px;line-height:24px;color:#182433;",
        "fact_name": "padding:6px 12px 6px 0;width:38%;vertical-align:top;font-size:14px;"
        "line-height:22px;color:#667382;border-top:1px solid #eef1f4;",
        "fact_value": "padding:6px 0;vertical-align:top;font-size:14px;line-height:22px;"
        "color:#182433;border-top:1px solid #eef1f4;",
    }.items()
}


@dataclass(frozen=True)
class Rendered:
    subject: str  # one line; the reply reference is the headers' business
    text: str
    html: str
    language: str


def bcp47(language: str) -> str:
    """Django's language code as e-mail and HTML spell it: ``zh-hans`` → ``zh-Hans``."""
    return translation.to_locale(language).replace("_", "-")


def absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + (path or "/")


def facts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The (name, value) lines a generic body shows from what features put in a payload:
    when it happens, the operation window, the deadline, the vendor, the commander, when it
    was resolved (times already readable, ``times.readable_payload``)."""
    found: list[tuple[str, str]] = []
    if payload.get("when_at"):
        found.append((_("When"), str(payload["when_at"])))
    if payload.get("window_start_at"):
        window = [str(payload["window_start_at"]), str(payload.get("window_end_at") or "")]
        found.append((_("Operation window"), " – ".join(part for part in window if part)))
    if payload.get("due_at"):
        found.append((_("Due"), str(payload["due_at"])))
    if payload.get("vendor"):
        found.append((_("Vendor"), str(payload["vendor"])))
    if payload.get("commander"):
        found.append((_("Commander"), str(payload["commander"])))
    if payload.get("resolved_at"):
        found.append((_("Resolved at"), str(payload["resolved_at"])))
    return found


def context_for(
    notification: Notification, *, zone: zoneinfo.ZoneInfo, unsubscribe_url: str, reply: bool
) -> dict[str, Any]:
    """What the templates read (call inside the reader's language and zone)."""
    payload = times.readable_payload(notification.payload, zone)
    label = kinds.label(notification.kind)
    title = str(payload.get("title", ""))
    return {
        "notification": notification,
        "recipient": notification.recipient,
        "label": label,
        "number": notification.number,
        "title": title,
        # Times the feature stored as ISO strings, in the reader's zone, for people.
        "payload": payload,
        "facts": facts(payload),
        "url": absolute(notification.link),
        "settings_url": absolute(reverse("notifications:preferences")),
        "unsubscribe_url": unsubscribe_url,
        "reply": reply,
        "preheader": one_line(" ".join((label, notification.number, title))),
        "css": CSS,
        "html_lang": bcp47(language_of(notification)),
    }


def language_of(notification: Notification) -> str:
    return notification.recipient.language or settings.LANGUAGE_CODE


def render(notification: Notification, *, unsubscribe_url: str, reply: bool) -> Rendered:
    """Subject, plain text and HTML of the mail, in the recipient's language and zone.
    ``reply``: the mail carries a reply token (its footer says a reply reaches the ticket)."""
    language = language_of(notification)
    zone = times.reader_zone(notification.recipient)
    kind = notification.kind
    with translation.override(language), timezone.override(zone):
        context = context_for(notification, zone=zone, unsubscribe_url=unsubscribe_url, reply=reply)
        subject = one_line(render_to_string("notifications/email_subject.txt", context))
        context["subject"] = subject
        # A kind whose message carries more than its title (an incident's management
        # report) brings its own body, ``notifications/email/<kind>.txt`` / ``.html``.
        body = render_to_string(
            [f"notifications/email/{kind}.txt", "notifications/email_body.txt"], context
        )
        footer = render_to_string("notifications/email/_footer.txt", context)
        html = render_to_string(
            [f"notifications/email/{kind}.html", "notifications/email/_body.html"], context
        )
    return Rendered(
        subject=subject, text=f"{body.rstrip()}\n{footer}", html=html, language=language
    )
