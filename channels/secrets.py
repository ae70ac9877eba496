"""The IM providers' secrets as an admin may see them: masked, never in full.

The secrets come from the server's environment (``servicedesk/settings.py``); nothing here
stores or changes them, so the environment always wins. ``mask`` keeps at most the last
four characters of a value, and none of one shorter than twelve (a short value's last four
would give away too much of it); ``masked_url`` does the same for a group robot's webhook,
whose path or query carries its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from channels.wecom import crypto as wecom_crypto

DOTS = "••••••••"
SHOWN = 4  # characters kept at the end
SHORTEST_SHOWN = 12  # a value shorter than this shows none of its characters

RECEIVING = _("receiving")
SENDING = _("sending")

# Per provider, the settings it reads and what for: the intake's secrets first.
SETTINGS: dict[str, tuple[tuple[str, tuple[Promise, ...]], ...]] = {
    "wecom": (
        ("WECOM_TOKEN", (RECEIVING,)),
        ("WECOM_ENCODING_AES_KEY", (RECEIVING,)),
        ("WECOM_CORP_ID", (RECEIVING, SENDING)),
        ("WECOM_AGENT_ID", (SENDING,)),
        ("WECOM_AGENT_SECRET", (SENDING,)),
    ),
    "dingtalk": (
        ("DINGTALK_APP_SECRET", (RECEIVING, SENDING)),
        ("DINGTALK_APP_KEY", (SENDING,)),
        ("DINGTALK_ROBOT_CODE", (SENDING,)),
    ),
    "feishu": (
        ("FEISHU_VERIFICATION_TOKEN", (RECEIVING,)),
        ("FEISHU_ENCRYPT_KEY", (RECEIVING,)),
        ("FEISHU_APP_ID", (SENDING,)),
        ("FEISHU_APP_SECRET", (SENDING,)),
    ),
    "slack": (
        ("SLACK_SIGNING_SECRET", (RECEIVING,)),
        ("SLACK_BOT_TOKEN", (SENDING,)),
    ),
}


def mask(value: str) -> str:
    """``••••••••85a5`` for a value of twelve characters or more, ``••••••••`` for a shorter
    one, "" for none."""
    if not value:
        return ""
    return DOTS + (value[-SHOWN:] if len(value) >= SHORTEST_SHOWN else "")


def masked_url(url: str) -> str:
    """A webhook as ``https://host/`` and the rest masked: its key is in the path (Slack,
    Feishu) or the query (WeCom, DingTalk)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return mask(url)
    head = f"{parts.scheme}://{parts.hostname}/"
    rest = url.split(parts.hostname, 1)[1].lstrip("/")
    return head + mask(rest)


@dataclass(frozen=True)
class Secret:
    """One setting as the page shows it."""

    name: str
    purposes: tuple[Promise, ...]
    is_set: bool
    masked: str
    problem: Promise | str = ""

    @property
    def receiving(self) -> bool:
        return RECEIVING in self.purposes


def secrets_of(provider: str) -> list[Secret]:
    """The provider's settings, each masked, with what is wrong with a set value."""
    found = []
    for name, purposes in SETTINGS[provider]:
        value = str(getattr(settings, name, "") or "")
        found.append(Secret(name, purposes, bool(value), mask(value), _problem(name, value)))
    return found


def _problem(name: str, value: str) -> Promise | str:
    if name == "WECOM_ENCODING_AES_KEY" and value:
        try:
            wecom_crypto.aes_key(value)
        except ValueError:
            return _("Not usable: an EncodingAESKey is 43 characters of base64.")
    return ""
