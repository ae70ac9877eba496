"""Transports: one small module per channel, each with ``send(notification)``.

E-mail is the first; the IM direct messages (WeCom, DingTalk, Feishu, Slack) are
plugged in by ``channels`` from its ``AppConfig.ready`` with ``register`` (a higher
app fills this registry; the outbox never names it), in the style of healthchecks'
``hc/integrations/<name>/``. A transport renders the message in the recipient's
language and raises on failure (the row is kept for a retry): ``RetryLater`` when
the provider asks to slow down (the row waits, the worker does not sleep),
``Undeliverable`` when no retry can help (no address any more).

A transport may define ``is_configured() -> bool``: while it returns False (the desk
has not set the provider up) no row is written for its channel.
"""

from __future__ import annotations

from types import ModuleType

from notifications.choices import NotificationChannel
from notifications.transports import email

TRANSPORTS: dict[str, ModuleType] = {NotificationChannel.EMAIL: email}


class RetryLater(Exception):
    """The provider asked us to wait (HTTP 429, a rate-limit error code): try the row again
    after ``after`` seconds; this attempt does not count against the row's attempts."""

    def __init__(self, message: str, *, after: float = 60.0) -> None:
        super().__init__(message)
        self.after = after


class Undeliverable(Exception):
    """No retry can deliver this row (the person has no ID there any more): give it up."""


def register(channel: str, module: ModuleType) -> None:
    """Plug a transport in for ``channel`` (call from an ``AppConfig.ready``). Idempotent."""
    if channel not in NotificationChannel.values:
        raise ValueError(f"{channel!r} is not a notification channel")
    TRANSPORTS[channel] = module


def transport_for(channel: str) -> ModuleType:
    try:
        return TRANSPORTS[channel]
    except KeyError:
        raise LookupError(f"no transport for channel {channel!r}") from None


def available() -> list[str]:
    """Channels with a transport that is set up (``is_configured``), e-mail first."""
    return [
        channel
        for channel, module in TRANSPORTS.items()
        if getattr(module, "is_configured", lambda: True)()
    ]
