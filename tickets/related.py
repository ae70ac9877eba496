"""Permission-scoped reads of a ticket's relations: links, duplicates, the follow-up form.

Like ``tickets.selectors``: a requester sees a link only when they may open the ticket at
its other end (their own tickets, the ones they follow); staff who read every ticket see
every link. A fixed number of queries whatever the number of links: the links with both
tickets (and, for someone who does not read every ticket, which ends they may open), the
duplicates merged in, and the ticket this one was merged into.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.permissions import capabilities
from tickets import permissions, selectors
from tickets.choices import LinkKind
from tickets.models import Ticket, TicketLink
from tickets.selectors_prepared import Prepared

# What the new-ticket form takes from the ticket a follow-up is about.
FOLLOW_UP_TITLE = _("Re: %(title)s")


@dataclass(frozen=True)
class Related:
    """One link as seen from ``ticket``'s page: the ticket at the other end and how."""

    other: Ticket
    kind: str
    relation: (
        str  # "related", "follow_up_of" (this ticket follows up the other) or "followed_up_by"
    )
    created_at: dt.datetime

    @property
    def label(self) -> Promise:
        return RELATIONS[self.relation]


RELATIONS: dict[str, Promise] = {
    "related": _("Related"),
    "follow_up_of": _("Follow-up of"),
    "followed_up_by": _("Followed up by"),
}


def _relation(link: TicketLink, ticket: Ticket) -> str:
    if link.kind == LinkKind.FOLLOW_UP:
        return "follow_up_of" if link.from_ticket_id == ticket.pk else "followed_up_by"
    return "related"


# What a link shows of the tickets at its ends (the rest stays in the database).
_END_FIELDS = ("number", "title", "state", "closed_as", "requester_id", "site_id")


def _links(ticket_id: int) -> QuerySet[TicketLink]:
    return (
        TicketLink.objects.filter(Q(from_ticket_id=ticket_id) | Q(to_ticket_id=ticket_id))
        .select_related("from_ticket", "to_ticket")
        .only(
            "kind",
            "created_at",
            "from_ticket_id",
            "to_ticket_id",
            *(f"{end}__{name}" for end in ("from_ticket", "to_ticket") for name in _END_FIELDS),
        )
        .order_by("created_at", "pk")
    )


# Compiled once per process (``selectors_prepared``): the ticket page asks on every view.
LINKS = Prepared(_links, int)


def links_for(user: AnyUser, ticket: Ticket) -> list[Related]:
    """The ticket's links that ``user`` may follow, oldest first (one query; a second for
    someone who does not read every ticket: which of the other ends they may open)."""
    rows = [
        (link, link.to_ticket if link.from_ticket_id == ticket.pk else link.from_ticket)
        for link in LINKS.objects(ticket.pk)
    ]
    if rows and (not capabilities(user).view_all or permissions.limited_sites(user) is not None):
        ids = [other.pk for _link, other in rows]
        visible = set(
            selectors.tickets_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        rows = [(link, other) for link, other in rows if other.pk in visible]
    return [
        Related(other, link.kind, _relation(link, ticket), link.created_at) for link, other in rows
    ]


def _duplicates(scope: QuerySet[Ticket], ticket_id: int) -> QuerySet[Ticket]:
    return (
        scope.filter(duplicate_of_id=ticket_id)
        .order_by("closed_at", "pk")
        .only("number", "title", "state", "closed_as", "requester_id")
    )


DUPLICATES_FOR_STAFF = Prepared(lambda ticket_id: _duplicates(Ticket.objects.all(), ticket_id), int)


def duplicates_for(user: AnyUser, ticket: Ticket) -> list[Ticket]:
    """The tickets merged into this one that ``user`` may open (one query)."""
    if capabilities(user).view_all and permissions.limited_sites(user) is None:
        return DUPLICATES_FOR_STAFF.objects(ticket.pk)
    return list(_duplicates(selectors.tickets_visible_to(user), ticket.pk))


def merged_into(user: AnyUser, ticket: Ticket) -> tuple[str, Ticket | None] | None:
    """The number of the ticket this one was merged into, and the ticket when ``user`` may
    open it (a requester learns the number of someone else's ticket, nothing more)."""
    if ticket.duplicate_of_id is None:
        return None
    survivor = (
        Ticket.objects.filter(pk=ticket.duplicate_of_id)
        .only("number", "title", "state", "closed_as", "requester_id")
        .first()
    )
    if survivor is None:
        return None
    return survivor.number, survivor if permissions.can_view(survivor, user) else None


def follow_up_of(user: AnyUser, number: str) -> Ticket | None:
    """The ticket a "report a related problem" form is about (``?related=``), if visible."""
    if not number or "\x00" in number or len(number) > 32:
        return None
    ticket = Ticket.objects.select_related("category", "asset").filter(number=number).first()
    if ticket is None or not permissions.can_view(ticket, user):
        return None
    return ticket


def follow_up_initial(ticket: Ticket) -> dict[str, Any]:
    """The new-ticket form, prefilled from the ticket a follow-up is about."""
    limit = Ticket._meta.get_field("title").max_length or 200
    title = str(FOLLOW_UP_TITLE % {"title": ticket.title})
    initial: dict[str, Any] = {"title": title[:limit], "category": ticket.category_id}
    if ticket.asset_id:
        initial["asset"] = ticket.asset_id
    return initial
