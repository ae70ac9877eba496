"""A DingTalk group robot (its webhook URL, ``…/robot/send?access_token=…``): a markdown
message, signed when the robot has a secret: ``timestamp`` (milliseconds) and ``sign`` =
base64(HMAC-SHA256 of ``timestamp + "\\n" + secret`` keyed with the secret), both in the
URL's query. ``errcode`` 0 is success; 130101 means too fast (20 a minute per robot)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from django.utils import timezone

from channels.dingtalk.transport import ROBOT_RATE_LIMITED, markdown
from channels.transports import common, message
from channels.transports.common import ProviderError
from channels.transports.limits import hit


def sign(timestamp: int, secret: str) -> str:
    text = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def signed_url(webhook_url: str, secret: str) -> str:
    if not secret:
        return webhook_url
    timestamp = int(timezone.now().timestamp() * 1000)
    joiner = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{joiner}timestamp={timestamp}&sign={quote_plus(sign(timestamp, secret))}"


def payload(msg: message.Message) -> dict[str, Any]:
    title, text = markdown(msg)
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def post(webhook_url: str, secret: str, msg: message.Message, *, target: str) -> None:
    data: dict[str, Any] = common.post(target, signed_url(webhook_url, secret), payload(msg)).json()
    code = data.get("errcode")
    if code == 0:
        return
    if code in ROBOT_RATE_LIMITED:
        raise hit(target)
    raise ProviderError(f"dingtalk robot: errcode {code} {str(data.get('errmsg', ''))[:200]}")
