"""DingTalk direct messages: the robot's ``oToMessages/batchSend`` with the app's
accessToken (``DINGTALK_APP_KEY``/``DINGTALK_APP_SECRET``, cached until it expires), a
``sampleMarkdown`` message to the person's DingTalk user ID. HTTP 429, a QPS-limit code,
or the person listed as flow-controlled wait; listed as invalid, the row is given up. An
urgent notification is followed by a DING (in the app)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings

from channels.transports import common, message, tokens
from channels.transports.common import ProviderError
from channels.transports.limits import hit
from notifications.choices import Urgency
from notifications.models import Notification
from notifications.transports import Undeliverable

log = logging.getLogger(__name__)

PROVIDER = "dingtalk"
# Group robots' errcode for "too fast" (20 messages a minute per robot).
ROBOT_RATE_LIMITED = {130101, 410100}


def is_configured() -> bool:
    return bool(settings.DINGTALK_APP_KEY and settings.DINGTALK_APP_SECRET)


def _base() -> str:
    return str(settings.DINGTALK_API_BASE).rstrip("/")


def robot_code() -> str:
    return str(settings.DINGTALK_ROBOT_CODE or settings.DINGTALK_APP_KEY)


def markdown(msg: message.Message) -> tuple[str, str]:
    """DingTalk's markdown message: its title (the notice in the chat list) and text."""
    lines = [f"#### {message.md(msg.title)}"]
    if msg.headline:
        lines.append(f"**{message.md(msg.headline)}**")
    lines += [f"- {name}{msg.colon}{message.md(value)}" for name, value in msg.facts]
    if msg.note:
        lines.append(message.md(msg.note))
    if msg.url:
        lines.append(f"[{message.md(msg.link_text)}]({msg.url})")
    return msg.title, "\n\n".join(lines)


def _fetch_token() -> tuple[str, int]:
    response = common.post(
        PROVIDER,
        f"{_base()}/v1.0/oauth2/accessToken",
        {"appKey": settings.DINGTALK_APP_KEY, "appSecret": settings.DINGTALK_APP_SECRET},
    )
    data: dict[str, Any] = response.json()
    return str(data.get("accessToken", "")), int(data.get("expireIn", 7200))


def _api(path: str, body: dict[str, Any]) -> dict[str, Any]:
    token = tokens.get(PROVIDER, settings.DINGTALK_APP_KEY, _fetch_token)
    try:
        response = common.post(
            PROVIDER, f"{_base()}/{path}", body, headers={"x-acs-dingtalk-access-token": token}
        )
    except ProviderError as exc:
        cause = exc.__cause__
        status = getattr(cause, "status", None)
        answer = getattr(cause, "body", b"") or b""
        if status == 401 or b"InvalidAuthentication" in answer:
            tokens.forget(PROVIDER, settings.DINGTALK_APP_KEY)
        if b"QpsLimit" in answer or b"Throttling" in answer or b"LimitExceeded" in answer:
            raise hit(PROVIDER) from exc
        raise
    data: dict[str, Any] = response.json()
    return data


def _send(to: str, msg_key: str, param: dict[str, Any]) -> dict[str, Any]:
    data = _api(
        "v1.0/robot/oToMessages/batchSend",
        {
            "robotCode": robot_code(),
            "userIds": [to],
            "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        },
    )
    if to in (data.get("invalidStaffIdList") or []):
        raise Undeliverable("dingtalk: not a user of this organisation")
    if to in (data.get("flowControlledStaffIdList") or []):
        raise hit(PROVIDER)
    return data


def send(notification: Notification) -> None:
    """The outbox's transport for the ``dingtalk`` channel; an urgent row (``Urgency.URGENT``)
    is followed by a DING to the same person (the robot's ``ding/send``, in the app)."""
    to = notification.recipient.dingtalk_id
    if not to:
        raise Undeliverable("no DingTalk ID")
    title, text = markdown(message.for_notification(notification))
    _send(to, "sampleMarkdown", {"title": title, "text": text})
    if notification.urgency == Urgency.URGENT:
        _ding(to, title)


def _ding(to: str, text: str) -> None:
    """DingTalk's DING (remind type 1: in the app). The message went already: a failure here
    is logged, never retried (it would send the message twice)."""
    try:
        _api(
            "v1.0/robot/ding/send",
            {
                "robotCode": robot_code(),
                "remindType": 1,
                "receiverUserIdList": [to],
                "content": text,
            },
        )
    except Exception as exc:  # the message itself was delivered
        log.warning("dingtalk DING to %s failed: %s", to, exc)


def send_text(to: str, text: str, thread: str = "") -> str:
    """A plain answer to a person, or to a group conversation (``cid…``, the robot's
    ``groupMessages/send``); DingTalk has no threads. The send's process key."""
    param = {"content": text}
    if to.startswith("cid"):
        data = _api(
            "v1.0/robot/groupMessages/send",
            {
                "robotCode": robot_code(),
                "openConversationId": to,
                "msgKey": "sampleText",
                "msgParam": json.dumps(param, ensure_ascii=False),
            },
        )
    else:
        data = _send(to, "sampleText", param)
    return str(data.get("processQueryKey", ""))
