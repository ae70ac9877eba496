"""A Feishu custom bot (the robot's webhook URL): an interactive card, signed when the bot
has a secret: ``sign`` = base64(HMAC-SHA256 with key ``timestamp + "\\n" + secret`` over an
empty message), sent with ``timestamp`` (seconds) in the body."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from django.utils import timezone

from channels.feishu.transport import card, check_code
from channels.transports import common, message


def sign(timestamp: int, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def payload(msg: message.Message, secret: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"msg_type": "interactive", "card": card(msg)}
    if secret:
        timestamp = int(timezone.now().timestamp())
        body = {"timestamp": str(timestamp), "sign": sign(timestamp, secret), **body}
    return body


def post(webhook_url: str, secret: str, msg: message.Message, *, target: str) -> None:
    response = common.post(target, webhook_url, payload(msg, secret))
    check_code(response.json(), "bot", target=target)
