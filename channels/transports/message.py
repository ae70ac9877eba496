"""What an IM message says about a notification, before any provider's format.

Composed in the reader's language and time zone (a person's for a direct message, the
desk's and the robot's site's for a group), from the kind's label and the payload the
feature stored (``number``, ``title``, times …), like the e-mail's generic body. Text
that came from people (a ticket's title, a vendor's name) is escaped by each format.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications import kinds, times
from notifications.models import Notification


@dataclass(frozen=True)
class Message:
    title: str  # the kind's label: "Response overdue"
    headline: str  # "T-2026-000123 Printer on fire"
    facts: list[tuple[str, str]] = field(default_factory=list)  # ("Due", "2026-11-26 …")
    note: str = ""  # a sentence for the reader
    url: str = ""
    link_text: str = ""
    colon: str = ": "  # between a name and its value, in the message's language ("：")

    def plain(self) -> str:
        """The message as plain text (a fallback, logs, providers without a format)."""
        lines = [self.title]
        if self.headline:
            lines.append(self.headline)
        lines += [f"{name}{self.colon}{value}" for name, value in self.facts]
        if self.note:
            lines.append(self.note)
        if self.url:
            lines.append(f"{self.link_text}{self.colon}{self.url}")
        return "\n".join(lines)


def absolute(link: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + (link or "/")


def compose(
    *,
    kind: str,
    payload: dict[str, Any],
    link: str,
    language: str,
    zone: zoneinfo.ZoneInfo,
) -> Message:
    """The message about one notification, in ``language`` and ``zone``."""
    with translation.override(language), timezone.override(zone):
        shown = times.readable_payload(payload, zone)
        headline = " ".join(
            str(part) for part in (shown.get("number", ""), shown.get("title", "")) if part
        )
        facts: list[tuple[str, str]] = []
        if shown.get("when_at"):
            facts.append((_("When"), str(shown["when_at"])))
        if shown.get("due_at"):
            facts.append((_("Due"), str(shown["due_at"])))
        note = ""
        if shown.get("confirm_by_day"):
            note = _(
                "Please try it and confirm. If we do not hear from you by the end of "
                "%(day)s, the fix counts as confirmed."
            ) % {"day": shown["confirm_by_day"]}
        return Message(
            title=kinds.label(kind),
            headline=headline,
            facts=facts,
            note=note,
            url=absolute(link),
            link_text=_("View details"),
            colon=_(": "),
        )


def for_notification(notification: Notification) -> Message:
    """A direct message: in the recipient's language and their site's zone."""
    recipient = notification.recipient
    return compose(
        kind=notification.kind,
        payload=notification.payload,
        link=notification.link,
        language=recipient.language or settings.LANGUAGE_CODE,
        zone=times.reader_zone(recipient),
    )


# --- escaping for the providers' markdown dialects ----------------------------------------

# The characters that make links, images and markup tags in the providers' markdown
# dialects, swapped for their full-width forms: not every dialect honours a backslash
# escape (it would show), and a title's "(3rd floor)" or "*" must read as typed.
_NEUTRAL = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "'"})


def md(text: str) -> str:
    """Text from people inside markdown (WeCom, DingTalk, Feishu's lark_md): on one line,
    without the characters that make links, images or tags, so a ticket's title cannot
    add a link, a heading or a mention."""
    return " ".join(str(text).split()).translate(_NEUTRAL)


def slack_text(text: str) -> str:
    """Text from people inside Slack's mrkdwn: ``&``, ``<`` and ``>`` escaped (Slack's own
    rule; ``<…>`` would otherwise make links and mentions)."""
    flat = " ".join(str(text).split())
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
