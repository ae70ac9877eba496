"""A verified DingTalk robot message as a ``Delivery``.

The sender is ``senderStaffId`` (the staff id an admin links to a person; empty for
someone outside the organisation), the message ``msgId``. ``conversationType`` ``"1"`` is
a direct chat, ``"2"`` a group, where ``isInAtList`` says the robot was @-mentioned
(DingTalk delivers a group message to the robot only then, and leaves the @ out of the
text). Text comes from ``text.content`` or the text runs of ``richText``; other kinds are
delivered with none. DingTalk has no threads: a quoted message's ``originalMsgId`` is
taken for one when present. The chat to answer in is a group's ``conversationId`` ("" for
a direct chat: the answer goes to the sender).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels import signing
from channels.choices import Provider
from channels.intake import Delivery

GROUP = "2"


def delivery(payload: Mapping[str, Any]) -> Delivery:
    is_group = str(payload.get("conversationType", "")) == GROUP
    return Delivery(
        provider=Provider.DINGTALK,
        event_id=signing.ident(payload, "msgId", required=True),
        sender=signing.ident(payload, "senderStaffId"),
        text=message_text(payload).strip(),
        thread=signing.ident(payload, "originalMsgId"),
        chat=signing.ident(payload, "conversationId") if is_group else "",
        is_group=is_group,
        mentions_desk=signing.flag(payload, "isInAtList") or not is_group,
        raw=dict(payload),
    )


def message_text(payload: Mapping[str, Any]) -> str:
    kind = payload.get("msgtype")
    if kind == "text":
        return signing.text(signing.obj(payload, "text"), "content")
    if kind == "richText":
        runs = signing.obj(payload, "content").get("richText")
        if isinstance(runs, list):
            return "".join(signing.text(run, "text") for run in runs if isinstance(run, dict))
    return ""
