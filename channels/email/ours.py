"""The desk's own address, domain and Message-IDs, all from ``DEFAULT_FROM_EMAIL``.

Mail the desk sends carries a Message-ID made by ``email.utils.make_msgid`` on the domain
of ``DEFAULT_FROM_EMAIL`` (``<digits.digits.digits@domain>``, as Django's own mail has it
on its host name). A message coming back with such an id is our own coming round: a loop.
Only that shape on our domain is ours: Foxmail, Thunderbird and Apple Mail name their
Message-IDs after the sender's domain, so when the desk and its people share a domain,
the domain alone would take every one of their mails for the desk's.
"""

from __future__ import annotations

import re
from email.utils import make_msgid, parseaddr

from django.conf import settings

# email.utils.make_msgid: "<{time * 100}.{pid}.{64 random bits}[.{idstring}]@{domain}>".
_OUR_LOCAL_PART = re.compile(r"\d+\.\d+\.\d+(?:\.[^@]*)?")


def own_address() -> str:
    """The desk's address (``DEFAULT_FROM_EMAIL`` without its display name), lower case."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def own_domain() -> str:
    return own_address().rpartition("@")[2]


def is_own_address(address: str) -> bool:
    """The desk's address, or one of its ``+`` detail addresses (``desk+<token>@…``)."""
    local, _at, domain = address.lower().rpartition("@")
    own_local, _at, own = own_address().rpartition("@")
    return bool(own) and domain == own and local.partition("+")[0] == own_local


def is_own_message_id(message_id: str) -> bool:
    """A Message-ID the desk made (see the module's docstring)."""
    local, _at, domain = message_id.strip().strip("<>").rpartition("@")
    own = own_domain()
    return bool(own) and domain.lower() == own and bool(_OUR_LOCAL_PART.fullmatch(local))


def new_message_id() -> str:
    return make_msgid(domain=own_domain() or None)
