"""A Slack incoming webhook (the robot's URL): ``{"text", "blocks"}``, answered ``ok``."""

from __future__ import annotations

from typing import Any

from channels.slack.transport import blocks
from channels.transports import common, message


def payload(msg: message.Message) -> dict[str, Any]:
    text, shown = blocks(msg)
    return {"text": text, "blocks": shown}


def post(webhook_url: str, secret: str, msg: message.Message, *, target: str) -> None:
    # Incoming webhooks carry their secret in the URL; ``secret`` is not used.
    common.post(target, webhook_url, payload(msg))
