"""The work view's "make a drill" card (``tickets.hooks`` panel, place ``work``).

Shown to tech leads (``manage_training``) on a ticket that can become a drill (resolved,
verified or closed with a solution, not cancelled or a duplicate): a link to the drill
form with the ticket filled in, and how many drills were built from it already. One query.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from tickets.models import Ticket
from training import permissions
from training.models import Drill
from training.services.drills import drillable

PANEL = "training_drill"


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    if not permissions.can_manage(user) or not drillable(ticket):
        return None
    return {"ticket": ticket, "drills": Drill.objects.filter(ticket_id=ticket.pk).count()}
