"""A verified, decrypted Feishu event as a ``Delivery`` (or None: not a message for us).

Only ``im.message.receive_v1`` (schema 2.0) is delivered. The sender is
``event.sender.sender_id.open_id``; the text comes from the JSON string
``message.content`` (``text`` messages, and the text runs of ``post`` rich text; other
kinds are delivered with no text). ``message.chat_type`` ``p2p`` is a direct chat; in a
group, Feishu sends the bot only messages that @-mention it unless the app may read every
group message, so a group message with ``mentions`` counts as addressed to the desk. Mention
placeholders (``@_user_1``) leading the text are dropped, later ones become ``@name``.
The thread is ``message.root_id`` (else ``parent_id``); ``sender_type`` other than
``user`` is a bot. The chat to answer in is a group's ``chat_id`` ("" for a direct chat:
the answer goes to the sender).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels import signing
from channels.choices import Provider
from channels.intake import Delivery

MESSAGE_RECEIVED = "im.message.receive_v1"


def delivery(event: Mapping[str, Any]) -> Delivery | None:
    header = signing.obj(event, "header")
    if header.get("event_type") != MESSAGE_RECEIVED:
        return None
    body = signing.obj(event, "event")
    sender = signing.obj(body, "sender")
    message = signing.obj(body, "message")
    listed = message.get("mentions")
    mentions = [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []
    is_group = message.get("chat_type") != "p2p"
    return Delivery(
        provider=Provider.FEISHU,
        event_id=signing.ident(header, "event_id", required=True),
        sender=signing.ident(signing.obj(sender, "sender_id"), "open_id"),
        text=message_text(message, mentions),
        thread=signing.ident(message, "root_id") or signing.ident(message, "parent_id"),
        chat=signing.ident(message, "chat_id") if is_group else "",
        is_group=is_group,
        mentions_desk=bool(mentions) or not is_group,
        is_bot=sender.get("sender_type", "user") != "user",
        # Without the Verification Token: raw is for logs.
        raw={**event, "header": {k: v for k, v in header.items() if k != "token"}},
    )


def message_text(message: Mapping[str, Any], mentions: list[dict[str, Any]]) -> str:
    kind = message.get("message_type")
    if kind not in ("text", "post"):
        return ""
    raw = message.get("content")
    if not isinstance(raw, str):
        raise signing.malformed("bad_content")
    content = signing.json_object(raw, "bad_content")
    found = signing.text(content, "text") if kind == "text" else _post_text(content)
    return _resolve_mentions(found, mentions).strip()


def _post_text(content: Mapping[str, Any]) -> str:
    """The title and the text runs of a rich-text post, a line per paragraph. A post comes
    either bare (``title``, ``content``) or under its locale (``zh_cn`` …)."""
    if "content" not in content:
        content = next((v for v in content.values() if isinstance(v, dict)), {})
    lines = [signing.text(content, "title")]
    paragraphs = content.get("content")
    for paragraph in paragraphs if isinstance(paragraphs, list) else []:
        runs = paragraph if isinstance(paragraph, list) else []
        lines.append(
            "".join(
                signing.text(run, "text") or signing.text(run, "user_name")
                for run in runs
                if isinstance(run, dict)
            )
        )
    return "\n".join(line for line in lines if line)


def _resolve_mentions(found: str, mentions: list[dict[str, Any]]) -> str:
    keys = {signing.text(m, "key"): signing.text(m, "name") for m in mentions}
    keys.pop("", None)
    changed = True
    while changed:  # the @-mentions leading the text (the bot's, usually) say nothing
        changed = False
        stripped = found.lstrip()
        for key in sorted(keys, key=len, reverse=True):
            if stripped.startswith(key):
                found, changed = stripped[len(key) :], True
                break
    for key, name in sorted(keys.items(), key=lambda item: -len(item[0])):
        found = found.replace(key, f"@{name}" if name else "")
    return found
