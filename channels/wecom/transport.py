"""WeCom direct messages: the app's ``message/send`` with its access_token
(``WECOM_CORP_ID``/``WECOM_AGENT_SECRET``, cached until it expires), a markdown message
from the app ``WECOM_AGENT_ID`` to the person's WeCom user ID. Rate-limit errcodes
(45009 …) wait; a person WeCom lists as invalid is given up."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings

from channels.transports import common, message, tokens
from channels.transports.common import ProviderError
from channels.transports.limits import hit
from notifications.models import Notification
from notifications.transports import Undeliverable

PROVIDER = "wecom"
RATE_LIMITED = {45009, 45011, 45033, 45047}
BAD_TOKEN = {40014, 41001, 42001}


def is_configured() -> bool:
    return bool(settings.WECOM_CORP_ID and settings.WECOM_AGENT_SECRET and settings.WECOM_AGENT_ID)


def _base() -> str:
    return str(settings.WECOM_API_BASE).rstrip("/")


def markdown(msg: message.Message) -> str:
    """WeCom's markdown (app messages and group robots alike)."""
    lines = [f"**{message.md(msg.title)}**"]
    if msg.headline:
        lines.append(message.md(msg.headline))
    lines += [
        f'> {name}{msg.colon}<font color="comment">{message.md(value)}</font>'
        for name, value in msg.facts
    ]
    if msg.note:
        lines.append(message.md(msg.note))
    if msg.url:
        lines.append(f"[{message.md(msg.link_text)}]({msg.url})")
    return "\n".join(lines)


def check_code(data: dict[str, Any], what: str, *, target: str) -> None:
    code = data.get("errcode")
    if code == 0:
        return
    if code in RATE_LIMITED:
        raise hit(target)
    raise ProviderError(f"wecom {what}: errcode {code} {str(data.get('errmsg', ''))[:200]}")


def _app() -> str:
    return f"{settings.WECOM_CORP_ID}:{settings.WECOM_AGENT_ID}"


def _fetch_token() -> tuple[str, int]:
    corp = quote(str(settings.WECOM_CORP_ID))
    secret = quote(str(settings.WECOM_AGENT_SECRET))
    data: dict[str, Any] = common.get(
        PROVIDER, f"{_base()}/gettoken?corpid={corp}&corpsecret={secret}"
    ).json()
    check_code(data, "gettoken", target=PROVIDER)
    return str(data.get("access_token", "")), int(data.get("expires_in", 7200))


def _send(body: dict[str, Any]) -> dict[str, Any]:
    token = tokens.get(PROVIDER, _app(), _fetch_token)
    data: dict[str, Any] = common.post(
        PROVIDER, f"{_base()}/message/send?access_token={quote(token)}", body
    ).json()
    if data.get("errcode") in BAD_TOKEN:
        tokens.forget(PROVIDER, _app())
    check_code(data, "message/send", target=PROVIDER)
    return data


def _agent_id() -> int | str:
    agent = str(settings.WECOM_AGENT_ID)
    return int(agent) if agent.isdigit() else agent


def _check_invalid(data: dict[str, Any], to: str) -> None:
    invalid = str(data.get("invaliduser", "") or "")
    if to in invalid.split("|"):
        raise Undeliverable("wecom: not a member of this organisation")


def send(notification: Notification) -> None:
    """The outbox's transport for the ``wecom`` channel."""
    to = notification.recipient.wecom_id
    if not to:
        raise Undeliverable("no WeCom ID")
    content = markdown(message.for_notification(notification))
    data = _send(
        {
            "touser": to,
            "msgtype": "markdown",
            "agentid": _agent_id(),
            "markdown": {"content": content},
        }
    )
    _check_invalid(data, to)


def send_text(to: str, text: str, thread: str = "") -> str:
    """A plain answer to a person (WeCom app messages have no threads); the message id."""
    data = _send(
        {"touser": to, "msgtype": "text", "agentid": _agent_id(), "text": {"content": text}}
    )
    _check_invalid(data, to)
    return str(data.get("msgid", ""))
