"""A WeCom group robot (its webhook URL, ``…/webhook/send?key=…``): ``msgtype: markdown``.
WeCom robots are not signed (the key in the URL is the secret); errcode 45009 is its
rate limit (20 messages a minute per robot)."""

from __future__ import annotations

from typing import Any

from channels.transports import common, message
from channels.wecom.transport import check_code, markdown


def payload(msg: message.Message) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": markdown(msg)}}


def post(webhook_url: str, secret: str, msg: message.Message, *, target: str) -> None:
    check_code(common.post(target, webhook_url, payload(msg)).json(), "robot", target=target)
