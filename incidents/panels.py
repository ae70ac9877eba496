"""The notice on a linked ticket's page: which major incident it is part of, and how it goes.

Under the description, for everyone who reads the ticket: the requester learns that the
outage is being handled as a major incident (and when service was restored); the desk gets
the link to the live page. One query whatever the ticket's history.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from incidents import permissions, selectors
from tickets.models import Ticket

NOTICE = "incidents.notice"
SHOWN = 3  # a ticket is rarely part of more than one incident


def notice(ticket: Ticket, user: User) -> dict[str, Any] | None:
    found = list(
        selectors.incidents_of_ticket(ticket).only(
            "number", "title", "status", "declared_at", "restored_at", "resolved_at"
        )[:SHOWN]
    )
    if not found:
        return None
    return {"incidents": found, "may_open": permissions.can_read(user)}
