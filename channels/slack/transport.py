"""Slack direct messages: ``chat.postMessage`` with the bot token (``SLACK_BOT_TOKEN``) to
the person's Slack user ID (Slack opens the app's DM with them), as Block Kit blocks with a
plain-text fallback. A 429 (``Retry-After``) or ``ratelimited`` waits; the message's ``ts``
is remembered as its thread, so a reply in that thread lands on the ticket."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from channels.transports import common, message
from channels.transports.common import ProviderError
from channels.transports.limits import hit
from notifications.models import Notification
from notifications.transports import Undeliverable

PROVIDER = "slack"
# Errors about the person, not the desk: no retry helps.
UNREACHABLE = {"user_not_found", "channel_not_found", "cannot_dm_bot", "user_disabled"}


def is_configured() -> bool:
    return bool(settings.SLACK_BOT_TOKEN)


def blocks(msg: message.Message) -> tuple[str, list[dict[str, Any]]]:
    """Slack's format: the fallback text and the blocks (header, details, a button)."""
    lines = []
    if msg.headline:
        lines.append(f"*{message.slack_text(msg.headline)}*")
    lines += [f"*{name}*{msg.colon}{message.slack_text(value)}" for name, value in msg.facts]
    if msg.note:
        lines.append(message.slack_text(msg.note))
    result: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": msg.title[:150]}},
    ]
    if lines:
        result.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    if msg.url:
        result.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": msg.link_text[:75]},
                        "url": msg.url,
                    }
                ],
            }
        )
    fallback = message.slack_text(
        f"{msg.title}{msg.colon}{msg.headline}" if msg.headline else msg.title
    )
    return fallback, result


def _api(method: str, body: dict[str, Any]) -> dict[str, Any]:
    response = common.post(
        PROVIDER,
        f"{settings.SLACK_API_BASE.rstrip('/')}/{method}",
        body,
        headers={"Authorization": f"Bearer {settings.SLACK_BOT_TOKEN}"},
    )
    data: dict[str, Any] = response.json()
    if data.get("ok"):
        return data
    error = str(data.get("error", "no answer"))
    if error in ("ratelimited", "rate_limited"):
        raise hit(PROVIDER)
    if error in UNREACHABLE:
        raise Undeliverable(f"slack {method}: {error}")
    raise ProviderError(f"slack {method}: {error}")


def send(notification: Notification) -> str:
    """The outbox's transport for the ``slack`` channel; the message's ``ts``."""
    to = notification.recipient.slack_id
    if not to:
        raise Undeliverable("no Slack ID")
    text, shown = blocks(message.for_notification(notification))
    data = _api(
        "chat.postMessage",
        {"channel": to, "text": text, "blocks": shown, "unfurl_links": False},
    )
    return str(data.get("ts", ""))


def after_sent(pairs: list[tuple[Notification, str]]) -> None:
    """Once sent: a reply in a message's thread lands on its ticket."""
    common.remember_ticket_threads(PROVIDER, [(n.number, ts) for n, ts in pairs])


def send_text(to: str, text: str, thread: str = "") -> str:
    """A plain answer to a user or a channel (in ``thread`` when given); the message's ts."""
    body: dict[str, Any] = {"channel": to, "text": text, "unfurl_links": False}
    if thread:
        body["thread_ts"] = thread
    data = _api("chat.postMessage", body)
    return str(data.get("ts", ""))
