"""Feishu direct messages: ``im/v1/messages`` with the app's tenant_access_token
(``FEISHU_APP_ID``/``FEISHU_APP_SECRET``, cached until it expires), an interactive card
to the person's Feishu ID (``ou_…`` an open_id, ``on_…`` a union_id, else a user_id).
Rate limits (HTTP 429, code 99991400) wait; the message id is remembered as its thread.
An urgent notification is made urgent in the app (加急, ``urgent_app``) once it is sent."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings

from channels import http
from channels.transports import common, message, tokens
from channels.transports.common import ProviderError
from channels.transports.limits import hit
from notifications.choices import Urgency
from notifications.models import Notification
from notifications.transports import Undeliverable

log = logging.getLogger(__name__)

PROVIDER = "feishu"
RATE_LIMITED = {99991400, 9499, 11232, 11233}
BAD_TOKEN = {99991661, 99991663, 99991664, 99991668}
# The bot cannot reach this person or chat: no retry helps.
UNREACHABLE = {230002, 230013, 99992360, 99992361, 99992364}


def is_configured() -> bool:
    return bool(settings.FEISHU_APP_ID and settings.FEISHU_APP_SECRET)


def _base() -> str:
    return str(settings.FEISHU_API_BASE).rstrip("/")


def card(msg: message.Message) -> dict[str, Any]:
    """Feishu's interactive card: a header, the details in lark_md, a button."""
    lines = []
    if msg.headline:
        lines.append(f"**{message.md(msg.headline)}**")
    lines += [f"**{name}**{msg.colon}{message.md(value)}" for name, value in msg.facts]
    if msg.note:
        lines.append(message.md(msg.note))
    elements: list[dict[str, Any]] = []
    if lines:
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}})
    if msg.url:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": msg.link_text},
                        "type": "primary",
                        "url": msg.url,
                    }
                ],
            }
        )
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": msg.title}, "template": "blue"},
        "elements": elements,
    }


def check_code(data: dict[str, Any], what: str, *, target: str) -> None:
    """Raise for a Feishu answer that is not ``code: 0`` (``StatusCode`` for old bots)."""
    code = data.get("code", data.get("StatusCode"))
    if code == 0:
        return
    if not isinstance(code, int):
        raise ProviderError(f"feishu {what}: unreadable answer")
    number = code
    if number in RATE_LIMITED:
        raise hit(target)
    if number in UNREACHABLE:
        raise Undeliverable(f"feishu {what}: code {number}")
    raise ProviderError(f"feishu {what}: code {number} {str(data.get('msg', ''))[:200]}")


def _fetch_token() -> tuple[str, int]:
    response = common.post(
        PROVIDER,
        f"{_base()}/auth/v3/tenant_access_token/internal",
        {"app_id": settings.FEISHU_APP_ID, "app_secret": settings.FEISHU_APP_SECRET},
    )
    data: dict[str, Any] = response.json()
    check_code(data, "token", target=PROVIDER)
    return str(data.get("tenant_access_token", "")), int(data.get("expire", 7200))


def _api(path: str, body: dict[str, Any]) -> dict[str, Any]:
    token = tokens.get(PROVIDER, settings.FEISHU_APP_ID, _fetch_token)
    response = common.post(
        PROVIDER, f"{_base()}/{path}", body, headers={"Authorization": f"Bearer {token}"}
    )
    data: dict[str, Any] = response.json()
    if data.get("code") in BAD_TOKEN:
        tokens.forget(PROVIDER, settings.FEISHU_APP_ID)
    check_code(data, path.split("?")[0], target=PROVIDER)
    return data


def id_type(receiver: str) -> str:
    if receiver.startswith("ou_"):
        return "open_id"
    if receiver.startswith("on_"):
        return "union_id"
    if receiver.startswith("oc_"):
        return "chat_id"
    if "@" in receiver:
        return "email"
    return "user_id"


def _message_id(data: dict[str, Any]) -> str:
    inner = data.get("data")
    return str(inner.get("message_id", "")) if isinstance(inner, dict) else ""


def send(notification: Notification) -> str:
    """The outbox's transport for the ``feishu`` channel; the message's id. An urgent row
    (``Urgency.URGENT``) has a red header and is then made urgent in the app (加急)."""
    to = notification.recipient.feishu_id
    if not to:
        raise Undeliverable("no Feishu ID")
    urgent = notification.urgency == Urgency.URGENT
    content = card(message.for_notification(notification))
    if urgent:
        content["header"]["template"] = "red"
    data = _api(
        f"im/v1/messages?receive_id_type={id_type(to)}",
        {"receive_id": to, "msg_type": "interactive", "content": json.dumps(content)},
    )
    message_id = _message_id(data)
    if urgent and message_id:
        _make_urgent(message_id, to)
    return message_id


def _make_urgent(message_id: str, to: str) -> None:
    """Feishu's in-app urgent (``PATCH …/messages/:id/urgent_app``) for the one reader. The
    message went already: a failure here is logged, never retried (it would send it twice)."""
    kind = id_type(to)
    if kind not in ("open_id", "union_id", "user_id"):
        return
    token = tokens.get(PROVIDER, settings.FEISHU_APP_ID, _fetch_token)
    url = f"{_base()}/im/v1/messages/{message_id}/urgent_app?user_id_type={kind}"
    try:
        response = common._call(
            PROVIDER,
            lambda: http.request(
                "PATCH",
                url,
                json_body={"user_id_list": [to]},
                headers={"Authorization": f"Bearer {token}"},
            ),
        )
        check_code(response.json(), "urgent_app", target=PROVIDER)
    except Exception as exc:  # the message itself was delivered
        log.warning("feishu urgent_app for %s failed: %s", message_id, exc)


def after_sent(pairs: list[tuple[Notification, str]]) -> None:
    """Once sent: a reply to a message (its root) lands on its ticket."""
    common.remember_ticket_threads(PROVIDER, [(n.number, mid) for n, mid in pairs])


def send_text(to: str, text: str, thread: str = "") -> str:
    """A plain answer: as a reply to ``thread`` (a message id) when given, else to the
    person or chat ``to``; the new message's id."""
    content = json.dumps({"text": text})
    if thread:
        data = _api(f"im/v1/messages/{thread}/reply", {"msg_type": "text", "content": content})
    else:
        data = _api(
            f"im/v1/messages?receive_id_type={id_type(to)}",
            {"receive_id": to, "msg_type": "text", "content": content},
        )
    return _message_id(data)
