"""Signed reply tokens: how an e-mail reply finds its ticket and its writer.

The desk's mail about a ticket carries a token naming the ticket and the person it was
written to, in the reply address (``desk+<token>@…``) and in the subject
(``[ref:<token>]``). A reply is threaded by the token, never by the From header alone:
anyone can write any From, nobody can make a token without ``SECRET_KEY``.

A token is ``<ticket id>-<user id>-<mac>``: lower-case letters, digits and hyphens only
(mail servers may fold the case of an address's local part), short enough for a local part
(64 characters at most). The mac is 20 base32 characters (100 bits) of an HMAC-SHA256 under
a key derived from ``SECRET_KEY`` with its own salt; tokens do not expire (a reply to an
old message still belongs to its ticket; the ticket's state decides what the reply does).
Ids are ASCII digits without leading zeros: one token has one spelling.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "notifications.reply_tokens"
_MAC_LENGTH = 20
# Where a token may sit: ``+<token>@`` in an address, ``ref:<token>`` in a subject.
TOKEN_PATTERN = re.compile(
    r"(?:\+|\bref:)([1-9][0-9]{0,11})-([1-9][0-9]{0,11})-([a-z2-7]{20})\b", re.ASCII
)


@dataclass(frozen=True)
class ReplyToken:
    ticket_id: int
    user_id: int


def _mac(ticket_id: int, user_id: int) -> str:
    digest = salted_hmac(
        _SALT, f"{ticket_id}:{user_id}", secret=settings.SECRET_KEY, algorithm="sha256"
    ).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:_MAC_LENGTH]


def make(ticket_id: int, user_id: int) -> str:
    """The token for mail about ticket ``ticket_id`` written to user ``user_id``."""
    return f"{ticket_id}-{user_id}-{_mac(ticket_id, user_id)}"


def reply_address(token: str) -> str:
    """``DEFAULT_FROM_EMAIL``'s mailbox with the token as its ``+`` detail."""
    local, _, domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")
    return f"{local}+{token}@{domain}"


def subject_tag(token: str) -> str:
    """The token as the subject carries it, for mail systems that drop the ``+`` detail."""
    return f"[ref:{token}]"


def read(*texts: str) -> ReplyToken | None:
    """The first genuine token in ``texts`` (addresses, a subject), or ``None``.

    Case is folded first; a token whose mac does not match is skipped, never trusted.
    """
    for text in texts:
        for match in TOKEN_PATTERN.finditer((text or "").lower()):
            ticket_id, user_id, mac = int(match[1]), int(match[2]), match[3]
            if hmac.compare_digest(mac, _mac(ticket_id, user_id)):
                return ReplyToken(ticket_id=ticket_id, user_id=user_id)
    return None
