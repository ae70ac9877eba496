"""The headers of a notification e-mail: one-line subject, who it is from and where a reply
goes, how a mail client threads it, and how to stop it.

* ``Subject``: ``[IT-…] <what happened>: <title>`` with every control character of the
  people's text (a ticket's title) removed, so a title cannot add a header and the send
  never fails on one; ``[ref:<token>]`` at its end when the mail is about a ticket.
* ``Reply-To``: ``desk+<token>@…`` (``reply_tokens``); the subject's ``[ref:…]`` carries
  the same token, also for mail systems without ``+`` addresses (``EMAIL_PLUS_ADDRESSING``
  off: no ``Reply-To`` then, a reply goes to the From address with the subject's token).
* ``Message-ID`` on the desk's own domain (the intake ignores mail that claims one, so
  an auto-reply loop dies), ``References`` / ``In-Reply-To`` a stable id per ticket (per
  number: incidents and summaries thread too), so clients that thread by headers keep a
  ticket's mail together.
* ``Auto-Submitted: auto-generated`` (RFC 3834) and ``X-Auto-Response-Suppress`` (Exchange):
  no out-of-office answer comes back for each notification.
* ``List-Unsubscribe`` with ``List-Unsubscribe-Post`` (RFC 8058): one click in the mail
  client turns this kind of e-mail off for this person (``unsubscribe``).
"""

from __future__ import annotations

import re
import unicodedata
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

# Unicode bidi embeddings, overrides and isolates: in a subject they only serve to disguise.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ID_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def one_line(text: str) -> str:
    """``text`` on one line: control characters and line separators become spaces, bidi
    controls go, runs of spaces shrink to one."""
    kept = [
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in str(text).translate(_BIDI)
    ]
    return " ".join("".join(kept).split())


def domain() -> str:
    """The desk's own mail domain: ``DEFAULT_FROM_EMAIL``'s."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def sender() -> str:
    """``DEFAULT_FROM_EMAIL``, with the desk's name in the reader's language if it has none."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return settings.DEFAULT_FROM_EMAIL if name else formataddr((_("IT Service Desk"), address))


def message_id(notification_id: int | None) -> str:
    """A fresh ``Message-ID`` on the desk's domain, naming the row it sends."""
    return make_msgid(idstring=f"n{notification_id or 0}", domain=domain())


def thread_id(number: str) -> str:
    """The id every mail about ``number`` refers to (no message carries it: it is the
    thread's root, as for a mailing list's digest)."""
    return f"<thread.{_ID_UNSAFE.sub('-', number.lower()).strip('-')}@{domain()}>"


def build(
    *,
    notification_id: int | None,
    number: str,
    unsubscribe_url: str,
    language: str,
) -> dict[str, str]:
    """Every header but From, To, Subject and Reply-To (the message sets those)."""
    headers = {
        "Message-ID": message_id(notification_id),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "Content-Language": language,
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if number and _ID_UNSAFE.sub("", number.lower()):
        root = thread_id(number)
        headers.update({"References": root, "In-Reply-To": root})
    return headers
