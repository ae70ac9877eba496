"""A verified Slack Events API envelope as a ``Delivery`` (or None: not a message for us).

``event_callback`` envelopes carrying a ``message`` (direct messages, channel messages)
or an ``app_mention`` (the desk's bot @-mentioned in a channel) are delivered; other
events and message subtypes that are not something a person said (joins, deletions …)
are acknowledged and dropped. Flags: ``bot_id`` or the ``bot_message`` subtype mark a
bot; ``message_changed`` an edit (its sender and text are the edited message's);
``channel_type`` ``im`` is a direct message; ``thread_ts`` the thread; the chat to answer
in is the channel of a group message ("" for a direct one: the answer goes to the sender).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from channels import signing
from channels.choices import Provider
from channels.intake import Delivery

# Subtypes that are still a person's (or a bot's) message; any other is not delivered.
DELIVERED_SUBTYPES = {"", "file_share", "thread_broadcast", "me_message", "bot_message"}
EDIT = "message_changed"
DIRECT = {"im"}
# The leading @-mention of the bot in an app_mention ("<@U0LAN0Z89> printer jammed").
LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


def delivery(payload: Mapping[str, Any]) -> Delivery | None:
    if payload.get("type") != "event_callback":
        return None
    event = payload.get("event")
    if not isinstance(event, dict):
        raise signing.malformed("missing_event")
    kind = event.get("type")
    if kind not in ("message", "app_mention"):
        return None
    event_id = signing.ident(payload, "event_id", required=True)
    subtype = event.get("subtype") or ""
    if not isinstance(subtype, str) or (subtype != EDIT and subtype not in DELIVERED_SUBTYPES):
        return None
    message = signing.obj(event, "message") if subtype == EDIT else event
    mention = kind == "app_mention"
    chat = signing.ident(event, "channel")
    channel_type = event.get("channel_type")
    direct = channel_type in DIRECT or (channel_type is None and chat.startswith("D"))
    is_group = mention or not direct
    body = signing.text(message, "text")
    if mention:
        body = LEADING_MENTION.sub("", body, count=1)
    return Delivery(
        provider=Provider.SLACK,
        event_id=event_id,
        sender=signing.ident(message, "user"),
        text=body.strip(),
        thread=signing.ident(message, "thread_ts"),
        chat=chat if is_group else "",
        is_group=is_group,
        mentions_desk=mention or not is_group,
        is_bot=bool(message.get("bot_id")) or subtype == "bot_message",
        is_edit=subtype == EDIT,
        raw={k: v for k, v in payload.items() if k != "token"},  # a verification token
    )
