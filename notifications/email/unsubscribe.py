"""One-click unsubscribe (RFC 8058): a signed link per person and kind that turns that kind's
e-mail off (``views``; this module only makes and reads the links, so the transport that
puts them in every mail needs nothing of the preferences).

The link is ``/notifications/unsubscribe/<user id>.<kind>.<mac>/``: no login (a mail
provider POSTs to it without cookies, a person may open it on a phone that is not signed
in), so the mac is the only proof. It is 32 base32 characters (160 bits) of an
HMAC-SHA256 under a key derived from ``SECRET_KEY`` with its own salt, over the user id
and the kind; it does not expire (an old mail's link still works, and all it can do is
switch that one kind of e-mail off, or back on, for that one person).
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from accounts.models import User
from notifications import kinds

_SALT = "notifications.email.unsubscribe"
_MAC_LENGTH = 32
_TOKEN = re.compile(r"([1-9][0-9]{0,11})\.([a-z0-9_]{1,32})\.([a-z2-7]{32})", re.ASCII)


@dataclass(frozen=True)
class Subscription:
    """Whose e-mail of which kind a genuine link names."""

    user: User
    kind: str


def _mac(user_id: int, kind: str) -> str:
    digest = salted_hmac(
        _SALT, f"{user_id}:{kind}", secret=settings.SECRET_KEY, algorithm="sha256"
    ).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:_MAC_LENGTH]


def token(user_id: int, kind: str) -> str:
    return f"{user_id}.{kind}.{_mac(user_id, kind)}"


def url(user_id: int, kind: str) -> str:
    """The absolute one-click link (``SITE_URL``): in ``List-Unsubscribe`` and the footer."""
    path = reverse("notifications:unsubscribe", kwargs={"unsubscribe_token": token(user_id, kind)})
    return str(settings.SITE_URL).rstrip("/") + path


def read(value: str) -> Subscription | None:
    """The active person and registered kind a genuine token names, else ``None``."""
    match = _TOKEN.fullmatch(value or "")
    if match is None:
        return None
    user_id, kind, mac = int(match[1]), match[2], match[3]
    if not hmac.compare_digest(mac, _mac(user_id, kind)) or not kinds.is_registered(kind):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return Subscription(user, kind) if user is not None else None
