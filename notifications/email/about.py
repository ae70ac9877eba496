"""Which ticket a notification is about: a hook the tickets app fills.

The outbox knows no ticket: a row carries the number the feature put in its payload
(``IT-…`` for a ticket, ``MI-…`` for an incident, a period's code for a summary). The
e-mail needs the ticket's id for its reply token (``reply_tokens.make``), so the app that
owns tickets registers a lookup from its ``AppConfig.ready``; numbers it does not know
(an incident's, a summary's) are about no ticket, and their mail carries no token.
"""

from __future__ import annotations

from collections.abc import Callable

TicketLookup = Callable[[str], int | None]
_lookups: list[TicketLookup] = []


def register(lookup: TicketLookup) -> None:
    """``lookup(number)`` → the ticket's id, or ``None``. Idempotent."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def ticket_id(number: str) -> int | None:
    """The id of the ticket ``number`` names, if any registered lookup knows it."""
    if not number:
        return None
    for lookup in _lookups:
        found = lookup(number)
        if found is not None:
            return found
    return None
