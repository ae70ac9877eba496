"""Permission-scoped reads of on-site visits, and of a device's tickets for ``assets``.

The ticket comes from ``tickets.selectors`` (404 to anyone who may not see it); its visits
are read by whoever may read the ticket (each step is on its public timeline too). Every
function runs a fixed number of queries whatever the history's size.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import AnyUser
from assets.hooks import AssetTicket
from assets.models import Asset
from fieldwork.models import SiteVisit
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to
from tickets.templatetags.ticket_tags import state_class

# A device's page lists at most this many of its tickets, newest first.
DEVICE_TICKETS = 50


def visits_on(ticket: Ticket) -> QuerySet[SiteVisit]:
    """Every visit of the ticket, in the order they are (were) due; one query."""
    return (
        SiteVisit.objects.filter(ticket_id=ticket.pk)
        .select_related("engineer")
        .order_by("scheduled_at", "pk")
    )


def tickets_of_asset(asset: Asset, user: AnyUser) -> list[AssetTicket]:
    """The device's tickets the person may see, newest first (one query): the filler of
    ``assets.hooks.tickets_of``."""
    rows = (
        tickets_visible_to(user)
        .filter(asset_id=asset.pk)
        .order_by("-submitted_at", "-pk")
        .values("number", "title", "state", "submitted_at")[:DEVICE_TICKETS]
    )
    return [
        AssetTicket(
            number=row["number"],
            title=row["title"],
            state=row["state"],
            state_label=str(TicketState(row["state"]).label),
            submitted_at=row["submitted_at"],
            link=reverse("tickets:detail", kwargs={"number": row["number"]}),
            state_class=state_class(row["state"]),
        )
        for row in rows
    ]
