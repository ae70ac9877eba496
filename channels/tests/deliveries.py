"""Signed provider requests, as the providers send them, for tests of the IM intake (and for
``bench/intake_im.py``, which sends the same requests to a real server).

Every builder signs (and, for Feishu and WeCom, encrypts) with the test secrets that
``configure(settings)`` installs, at ``timezone.now()`` (travel with time_machine to move
it). The secrets and the sample payloads are the providers' own published examples:
Slack's signing secret from "Verifying requests from Slack", Feishu's Encrypt Key
``test key`` from its decryption example, DingTalk's ``this is secret`` from its signing
sample, WeCom's token, EncodingAESKey and CorpID from its WXBizMsgCrypt samples. Slack's
and DingTalk's signatures are computed here independently of the intake's own code.

Three levels:

* ``*_event`` / ``*_message``: a provider's decoded payload (a dict; WeCom's XML text);
* ``*_request``: that payload sealed and signed, as a ``Signed`` request (method, path and
  query, headers, body), each signing input overridable (a wrong secret, a stale time, a
  signature of your own); ``post(client, request)`` sends one through Django's test Client;
* ``*_post``: both at once.

For tests over the four providers: ``message(provider, sender=…, text=…)``,
``request(provider, payload, …)`` with the same overrides for every provider, ``send``
(both, posted) and the per-provider tables (``SENDER``, ``WRONG_SIGNATURE``, ``SECRET_SETTINGS``,
``ERROR_FIELD``, ``JSON_FIELDS``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.utils import timezone

from channels.feishu import crypto as feishu_crypto
from channels.wecom import crypto as wecom_crypto

URL = "/api/v1/intake/im/{}/"
PROVIDERS = ("slack", "feishu", "dingtalk", "wecom")

SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FEISHU_VERIFICATION_TOKEN = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV"
FEISHU_ENCRYPT_KEY = "test key"
DINGTALK_APP_SECRET = "this is secret"
WECOM_TOKEN = "QDG6eK"
WECOM_ENCODING_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_CORP_ID = "wx5823bf96d3bd56c7"

SECRETS = {
    "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
    "FEISHU_VERIFICATION_TOKEN": FEISHU_VERIFICATION_TOKEN,
    "FEISHU_ENCRYPT_KEY": FEISHU_ENCRYPT_KEY,
    "DINGTALK_APP_SECRET": DINGTALK_APP_SECRET,
    "WECOM_TOKEN": WECOM_TOKEN,
    "WECOM_ENCODING_AES_KEY": WECOM_ENCODING_AES_KEY,
    "WECOM_CORP_ID": WECOM_CORP_ID,
}

# An event id left out of the payload altogether (``None`` asks for a fresh one).
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()

_serial = itertools.count(1)


def configure(settings: Any) -> None:
    """Install the test secrets (pytest-django's ``settings`` fixture undoes it)."""
    for name, value in SECRETS.items():
        setattr(settings, name, value)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_serial):06d}"


def now_seconds() -> int:
    return int(timezone.now().timestamp())


def _bytes(body: Mapping[str, Any] | bytes | str) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def _event_id(given: Any, prefix: str) -> Any:
    return unique(prefix) if given is None else given


@dataclass(frozen=True)
class Signed:
    """One request as the provider sends it (``path`` carries the query)."""

    method: str
    path: str
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


def post(client: Client, request: Signed) -> Any:
    """Send ``request`` through Django's test Client."""
    return client.generic(
        request.method,
        request.path,
        request.body,
        content_type=request.content_type,
        headers=dict(request.headers),
    )


# --- Slack -----------------------------------------------------------------------------------


def slack_signature(timestamp: str, body: bytes, secret: str = SLACK_SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_event(
    *,
    user: Any = "U2147483697",
    text: Any = "Hello hello can you hear me?",
    event_id: Any = None,
    event_type: str = "message",
    channel: str = "D024BE91L",
    channel_type: str | None = "im",
    **fields: Any,
) -> dict[str, Any]:
    """An ``event_callback`` envelope as in Slack's Events API docs (a direct message by
    default; ``event_type="app_mention"`` with a channel for a mention); ``fields`` go into
    the event (``thread_ts``, ``subtype``, ``bot_id``, ``message`` …). ``user=None`` leaves
    the sender out."""
    event: dict[str, Any] = {
        "type": event_type,
        "channel": channel,
        "text": text,
        "ts": "1355517523.000005",
        "event_ts": "1355517523.000005",
    }
    if user is not None:
        event["user"] = user
    if channel_type is not None and event_type == "message":
        event["channel_type"] = channel_type
    event.update(fields)
    envelope = {
        "token": "one-long-verification-token",
        "team_id": "T061EG9R6",
        "api_app_id": "A0PNCHHK2",
        "event": event,
        "type": "event_callback",
        "authed_teams": ["T061EG9R6"],
        "event_id": _event_id(event_id, "Ev0PV5"),
        "event_time": 1355517523,
    }
    if event_id is ABSENT:
        del envelope["event_id"]
    return envelope


def slack_request(
    payload: Mapping[str, Any] | bytes | str,
    *,
    timestamp: int | str | None = None,
    secret: str = SLACK_SIGNING_SECRET,
    signature: str | None = None,
    retry_num: int | None = None,
) -> Signed:
    body = _bytes(payload)
    stamp = str(now_seconds() if timestamp is None else timestamp)
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature
        if signature is not None
        else slack_signature(stamp, body, secret),
    }
    if retry_num is not None:
        headers.update(
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        )
    return Signed("POST", URL.format("slack"), body, headers=headers)


def slack_post(client: Client, payload: Mapping[str, Any] | bytes | str, **overrides: Any) -> Any:
    return post(client, slack_request(payload, **overrides))


# --- Feishu ----------------------------------------------------------------------------------


def feishu_event(
    *,
    open_id: Any = "ou_84aad35d084aa403a838cf73ee18467",
    text: Any = "打印机卡纸了",
    event_id: Any = None,
    chat_type: str = "p2p",
    chat_id: str = "oc_5ce6d572455d361153b7xx51da133945",
    mentions: list[dict[str, Any]] | None = None,
    root_id: str = "",
    parent_id: str = "",
    message_type: str = "text",
    content: Any = None,
    token: str = FEISHU_VERIFICATION_TOKEN,
    sender_type: str = "user",
    event_type: str = "im.message.receive_v1",
) -> dict[str, Any]:
    """The decrypted ``im.message.receive_v1`` event of Feishu's "接收消息" reference
    (``open_id=None`` leaves the sender out)."""
    sender_id = {"union_id": "on_8ed6aa67826108097d9ee143816345", "user_id": "e33ggbyz"}
    if open_id is not None:
        sender_id["open_id"] = open_id
    message: dict[str, Any] = {
        "message_id": unique("om_5ce6d572455d361153b7cb51da13"),
        "root_id": root_id,
        "parent_id": parent_id,
        "create_time": "1609073151345",
        "chat_id": chat_id,
        "chat_type": chat_type,
        "message_type": message_type,
        "content": content
        if content is not None
        else json.dumps({"text": text}, ensure_ascii=False),
    }
    if mentions is not None:
        message["mentions"] = mentions
    header = {
        "event_id": _event_id(event_id, "5e3702a84e847582be8db7fb7328"),
        "event_type": event_type,
        "create_time": "1608725989000",
        "token": token,
        "app_id": "cli_9f5343c580712544",
        "tenant_key": "2ca1d211f64f6438",
    }
    if event_id is ABSENT:
        del header["event_id"]
    return {
        "schema": "2.0",
        "header": header,
        "event": {
            "sender": {
                "sender_id": sender_id,
                "sender_type": sender_type,
                "tenant_key": "736588c9260f175e",
            },
            "message": message,
        },
    }


def feishu_mention(key: str = "@_user_1", name: str = "IT 服务台") -> dict[str, Any]:
    return {
        "key": key,
        "id": {"union_id": "on_desk", "user_id": "", "open_id": "ou_desk_bot"},
        "name": name,
        "tenant_key": "736588c9260f175e",
    }


def feishu_challenge(
    challenge: str = "ajls384kdjx98XX", token: str = FEISHU_VERIFICATION_TOKEN
) -> dict[str, Any]:
    return {"challenge": challenge, "token": token, "type": "url_verification"}


def feishu_body(
    event: Mapping[str, Any] | bytes | str, encrypt_key: str = FEISHU_ENCRYPT_KEY
) -> bytes:
    """``{"encrypt": …}`` sealing the event, as Feishu posts it."""
    return json.dumps({"encrypt": feishu_crypto.encrypt(encrypt_key, _bytes(event))}).encode()


def feishu_request(
    event: Mapping[str, Any] | bytes | str | None = None,
    *,
    body: bytes | None = None,
    signed: bool = True,
    timestamp: int | str | None = None,
    nonce: str | None = None,
    encrypt_key: str = FEISHU_ENCRYPT_KEY,
    signing_key: str | None = None,
    signature: str | None = None,
) -> Signed:
    """``event`` sealed and signed; or ``body`` sent as it is (signed unless not ``signed``).
    ``signing_key``: sign with another key than the one that sealed."""
    raw = body if body is not None else feishu_body(event or {}, encrypt_key)
    headers = {}
    if signed:
        stamp = str(now_seconds() if timestamp is None else timestamp)
        once = nonce or unique("nonce")
        key = encrypt_key if signing_key is None else signing_key
        headers = {
            "X-Lark-Request-Timestamp": stamp,
            "X-Lark-Request-Nonce": once,
            "X-Lark-Signature": signature
            if signature is not None
            else feishu_crypto.signature(stamp, once, key, raw),
        }
    return Signed("POST", URL.format("feishu"), raw, headers=headers)


def feishu_post(
    client: Client, event: Mapping[str, Any] | bytes | str | None = None, **overrides: Any
) -> Any:
    return post(client, feishu_request(event, **overrides))


# --- DingTalk --------------------------------------------------------------------------------


def dingtalk_sign(timestamp: str, secret: str = DINGTALK_APP_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def dingtalk_message(
    *,
    staff_id: Any = "manager4812",
    text: Any = " 打印机卡纸了",
    msg_id: Any = None,
    group: bool = False,
    at: bool = True,
    conversation_id: str = "cidIRTxdeHCfBNA5MrSIXsCBQ==",
    **fields: Any,
) -> dict[str, Any]:
    """A robot's incoming message as in DingTalk's "接收消息" reference (a direct chat by
    default; ``group=True`` for a group, where ``at`` says the robot was @-mentioned;
    ``staff_id=None`` leaves the sender out)."""
    payload: dict[str, Any] = {
        "conversationId": conversation_id,
        "chatbotCorpId": "dinge8a565xxxx",
        "chatbotUserId": "$:LWCP_v1:$Cxxxxx",
        "msgId": _event_id(msg_id, "msgXg9fKGmHStTg9Wd"),
        "senderNick": "星齐",
        "isAdmin": True,
        "sessionWebhookExpiredTime": 1613635652738,
        "createAt": 1613630252678,
        "senderCorpId": "dinge8a565xxxx",
        "conversationType": "2" if group else "1",
        "senderId": "$:LWCP_v1:$Ff09GIxxxxx",
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=xxxxx",
        "robotCode": "dingxxxxxx",
        "msgtype": "text",
        "text": {"content": text},
    }
    if msg_id is ABSENT:
        del payload["msgId"]
    if staff_id is not None:
        payload["senderStaffId"] = staff_id
    if group:
        payload["conversationTitle"] = "IT 支持群"
        payload["isInAtList"] = at
    payload.update(fields)
    return payload


def dingtalk_request(
    payload: Mapping[str, Any] | bytes | str,
    *,
    timestamp_ms: int | str | None = None,
    secret: str = DINGTALK_APP_SECRET,
    sign: str | None = None,
) -> Signed:
    stamp = str(now_seconds() * 1000 if timestamp_ms is None else timestamp_ms)
    headers = {
        "timestamp": stamp,
        "sign": sign if sign is not None else dingtalk_sign(stamp, secret),
    }
    return Signed("POST", URL.format("dingtalk"), _bytes(payload), headers=headers)


def dingtalk_post(
    client: Client, payload: Mapping[str, Any] | bytes | str, **overrides: Any
) -> Any:
    return post(client, dingtalk_request(payload, **overrides))


# --- WeCom -----------------------------------------------------------------------------------


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wecom_message(
    *,
    user: str | None = "zhangsan",
    text: str = "this is a test",
    msg_id: Any = None,
    msg_type: str = "text",
    corp_id: str = WECOM_CORP_ID,
    agent_id: str = "1000002",
    **fields: str,
) -> str:
    """An app's received message (the decrypted XML of WeCom's "接收普通消息" reference;
    ``user=None`` leaves the sender out)."""
    parts = [f"<ToUserName>{_cdata(corp_id)}</ToUserName>"]
    if user is not None:
        parts.append(f"<FromUserName>{_cdata(user)}</FromUserName>")
    parts += [
        f"<CreateTime>{now_seconds()}</CreateTime>",
        f"<MsgType>{_cdata(msg_type)}</MsgType>",
    ]
    if msg_type == "text":
        parts.append(f"<Content>{_cdata(text)}</Content>")
    if msg_id is not ABSENT:
        parts.append(f"<MsgId>{_event_id(msg_id, '4561255354251')}</MsgId>")
    parts.append(f"<AgentID>{agent_id}</AgentID>")
    parts += [f"<{name}>{_cdata(value)}</{name}>" for name, value in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


def wecom_seal(
    message: str | bytes, receiver: str = WECOM_CORP_ID, aes_key: str = WECOM_ENCODING_AES_KEY
) -> str:
    key = wecom_crypto.aes_key(aes_key)
    return wecom_crypto.encrypt(
        key, message.encode() if isinstance(message, str) else message, receiver
    )


def wecom_query(
    encrypted: str,
    *,
    timestamp: int | str | None = None,
    nonce: str | None = None,
    token: str = WECOM_TOKEN,
    signature: str | None = None,
) -> dict[str, str]:
    stamp = str(now_seconds() if timestamp is None else timestamp)
    once = nonce or unique("13726")
    sig = (
        signature
        if signature is not None
        else wecom_crypto.signature(token, stamp, once, encrypted)
    )
    return {"msg_signature": sig, "timestamp": stamp, "nonce": once}


def wecom_request(
    message: str | None = None,
    *,
    body: bytes | str | None = None,
    receiver: str = WECOM_CORP_ID,
    signed: bool = True,
    **query: Any,
) -> Signed:
    """``message`` sealed for ``receiver`` in WeCom's envelope, signed (``query`` overrides
    ``timestamp``, ``nonce``, ``token`` or ``signature``; ``signed=False``: no query at
    all); or ``body`` as it is, signed over ``query["encrypted"]``."""
    if body is None:
        encrypted = wecom_seal(message or wecom_message(), receiver)
        body = (
            f"<xml><ToUserName>{_cdata(receiver)}</ToUserName>"
            f"<Encrypt>{_cdata(encrypted)}</Encrypt><AgentID>{_cdata('1000002')}</AgentID></xml>"
        )
    else:
        encrypted = query.pop("encrypted", "")
    path = URL.format("wecom")
    if signed:
        path += "?" + urlencode(wecom_query(encrypted, **query))
    return Signed("POST", path, _bytes(body), content_type="text/xml")


def wecom_post(client: Client, message: str | None = None, **overrides: Any) -> Any:
    return post(client, wecom_request(message, **overrides))


def wecom_handshake(
    client: Client,
    echo: str = "1616140317555161061",
    *,
    receiver: str = WECOM_CORP_ID,
    **query: Any,
) -> Any:
    echostr = query.pop("echostr", None) or wecom_seal(echo, receiver)
    return client.get(URL.format("wecom"), {**wecom_query(echostr, **query), "echostr": echostr})


# --- any provider ----------------------------------------------------------------------------

# The sender of the builders' messages by default, as each provider names a person.
SENDER = {
    "slack": "U2147483697",
    "feishu": "ou_84aad35d084aa403a838cf73ee18467",
    "dingtalk": "manager4812",
    "wecom": "zhangsan",
}
# A signature of the right shape that is not the right one.
WRONG_SIGNATURE = {
    "slack": "v0=" + "0" * 64,
    "feishu": "0" * 64,
    "dingtalk": base64.b64encode(bytes(32)).decode(),
    "wecom": "0" * 40,
}
# The settings that configure each provider's intake (without any: every request refused).
SECRET_SETTINGS = {
    "slack": ("SLACK_SIGNING_SECRET",),
    "feishu": ("FEISHU_ENCRYPT_KEY", "FEISHU_VERIFICATION_TOKEN"),
    "dingtalk": ("DINGTALK_APP_SECRET",),
    "wecom": ("WECOM_TOKEN", "WECOM_ENCODING_AES_KEY", "WECOM_CORP_ID"),
}
# What a refusal calls the event id and the sender (``missing_<name>``, ``bad_<name>``).
ERROR_FIELD = {
    "slack": {"event_id": "event_id", "sender": "user"},
    "feishu": {"event_id": "event_id", "sender": "open_id"},
    "dingtalk": {"event_id": "msgId", "sender": "senderStaffId"},
    "wecom": {"event_id": "MsgId", "sender": "FromUserName"},
}
# What a malformed body is refused as.
NOT_READABLE = {
    "slack": "body_not_json",
    "feishu": "body_not_json",
    "dingtalk": "body_not_json",
    "wecom": "bad_xml",
}
# The JSON providers' fields that may carry any JSON value (WeCom's XML carries only text):
# a message with ``value`` in that field.
JSON_FIELDS: dict[str, dict[str, Callable[[Any], dict[str, Any]]]] = {
    "slack": {
        "text": lambda value: slack_event(text=value),
        "sender": lambda value: slack_event(user=value),
    },
    "feishu": {
        "text": lambda value: feishu_event(content=json.dumps({"text": value})),
        "content": lambda value: feishu_event(content=value),
        "sender": lambda value: feishu_event(open_id=value),
    },
    "dingtalk": {
        "text": lambda value: dingtalk_message(text=value),
        "sender": lambda value: dingtalk_message(staff_id=value),
        "conversationType": lambda value: dingtalk_message(conversationType=value),
    },
}


def message(
    provider: str,
    *,
    sender: str | None,
    text: str = "打印机卡纸了",
    event_id: Any = None,
    group: bool = False,
    mention: bool = True,
) -> Any:
    """A text message from ``sender`` (the provider's user id; ``None`` leaves it out) to
    the desk: a direct message, or in a group with (``mention``) or without the desk's bot
    @-mentioned. ``event_id``: ``None`` a fresh one, ``ABSENT`` none at all."""
    if provider == "slack":
        if group and mention:
            return slack_event(
                user=sender,
                text=f"<@U0LAN0Z89> {text}",
                event_id=event_id,
                event_type="app_mention",
                channel="C0LAN2Q65",
            )
        return slack_event(
            user=sender,
            text=text,
            event_id=event_id,
            channel="C0LAN2Q65" if group else "D024BE91L",
            channel_type="channel" if group else "im",
        )
    if provider == "feishu":
        mentions = [feishu_mention()] if group and mention else None
        return feishu_event(
            open_id=sender,
            text=f"@_user_1 {text}" if mentions else text,
            event_id=event_id,
            chat_type="group" if group else "p2p",
            mentions=mentions,
        )
    if provider == "dingtalk":
        return dingtalk_message(
            staff_id=sender, text=text, msg_id=event_id, group=group, at=mention
        )
    if provider == "wecom":
        return wecom_message(user=sender, text=text, msg_id=event_id)
    raise ValueError(f"unknown provider {provider!r}")


def request(
    provider: str,
    payload: Any = None,
    *,
    body: bytes | None = None,
    secret: str | None = None,
    signature: str | None = None,
    unsigned: bool = False,
    timestamp: int | str | None = None,
) -> Signed:
    """``payload`` (or a raw ``body``) as ``provider`` sends it, with the same overrides for
    every provider: sign with another ``secret``, send ``signature`` instead, send it
    ``unsigned``, or at another ``timestamp`` (seconds; a string goes as it is)."""
    if provider == "slack":
        return slack_request(
            payload if body is None else body,
            timestamp=timestamp,
            secret=secret or SLACK_SIGNING_SECRET,
            signature="" if unsigned else signature,
        )
    if provider == "feishu":
        return feishu_request(
            payload,
            body=body,
            signed=not unsigned,
            timestamp=timestamp,
            signing_key=secret,
            signature=signature,
        )
    if provider == "dingtalk":
        return dingtalk_request(
            payload if body is None else body,
            timestamp_ms=timestamp * 1000 if isinstance(timestamp, int) else timestamp,
            secret=secret or DINGTALK_APP_SECRET,
            sign="" if unsigned else signature,
        )
    if provider == "wecom":
        query: dict[str, Any] = {"timestamp": timestamp, "signature": signature}
        if secret is not None:
            query["token"] = secret
        if body is not None:
            query["encrypted"] = ""
        return wecom_request(payload, body=body, signed=not unsigned, **query)
    raise ValueError(f"unknown provider {provider!r}")


def send(client: Client, provider: str, **fields: Any) -> Any:
    """``message(provider, **fields)``, signed and posted."""
    return post(client, request(provider, message(provider, **fields)))
