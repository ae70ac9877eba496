"""Transports: one small module per channel, each with ``send(notification)``.

E-mail is the first; the IM robots (WeCom, DingTalk, Feishu, Slack) plug in
beside it as modules of their own, in the style of healthchecks'
``hc/integrations/<name>/``. A transport renders the message in the
recipient's language and raises on failure (the row is kept for a retry).
"""

from __future__ import annotations

from types import ModuleType

from notifications.choices import NotificationChannel
from notifications.transports import email

TRANSPORTS: dict[str, ModuleType] = {NotificationChannel.EMAIL: email}


def transport_for(channel: str) -> ModuleType:
    try:
        return TRANSPORTS[channel]
    except KeyError:
        raise LookupError(f"no transport for channel {channel!r}") from None
