"""Related-ticket links: engineers link and unlink two tickets; a follow-up is filed linked.

A link is one row between two tickets, shown on both pages to whoever may open the other
end (``tickets.related``); each change writes an entry on both timelines. Entries about
"related" links are the engineers' bookkeeping (internal); a follow-up filed by the
requester of both tickets is public on both, naming the other ticket by number only. So
nobody reading a timeline (a requester, a follower) learns the title of a ticket they may
not open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import actions, permissions
from tickets.actions import Action
from tickets.choices import EventKind, LinkKind
from tickets.errors import InvalidTransition, TicketNotFound
from tickets.models import Ticket, TicketLink
from tickets.services import base
from tickets.services.submit import submit_ticket


def _lock_pair(ticket_id: int, other_id: int | None) -> dict[int, Ticket]:
    """Both rows locked in primary-key order, so two people linking the same pair from
    either side queue here and the second one sees the first one's link."""
    ids = sorted({ticket_id} | ({other_id} if other_id else set()))
    rows = (
        Ticket.objects.select_for_update(no_key=True, of=("self",))
        .select_related("requester")
        .defer("search_document", "search_notes")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def _between(a: Ticket, b: Ticket) -> Q:
    return Q(from_ticket=a, to_ticket=b) | Q(from_ticket=b, to_ticket=a)


def _record_both(
    kind: str,
    a: Ticket,
    b: Ticket,
    *,
    actor: User,
    now: dt.datetime,
    link_kind: str,
) -> None:
    """The entry on each ticket names the other (its title only in internal entries)."""
    internal = link_kind == LinkKind.RELATED or a.requester_id != b.requester_id
    for this, other, direction in ((a, b, "to"), (b, a, "from")):
        data: dict[str, Any] = {"ticket": other.number, "kind": link_kind, "direction": direction}
        if internal:
            data["title"] = other.title
        base.record(this, kind, actor=actor, now=now, data=data, is_internal=internal)


def _pair(ticket_id: int, *, actor: User, number: str) -> tuple[Ticket, Ticket | None]:
    """This ticket (404 unless visible; 403 unless the actor links tickets) and the other
    one by its (cleaned) number, or ``None`` when there is no such ticket the actor may see."""
    other_id = Ticket.objects.filter(number=number).values_list("pk", flat=True).first()
    rows = _lock_pair(ticket_id, other_id)
    ticket = rows.get(ticket_id)
    if ticket is None or not permissions.can_view(ticket, actor):
        raise TicketNotFound
    actions.check(ticket, actor, Action.LINK)
    found = rows.get(other_id) if other_id else None
    if found is None or not permissions.can_view(found, actor):
        return ticket, None
    return ticket, found


def link_tickets(ticket_id: int, *, actor: User, other: str) -> TicketLink:
    """Link two tickets as related (engineers and tech leads, any state). 400 on ``ticket``
    for an unknown number or the ticket itself, 409 when they are already linked."""
    number = base.text("ticket", other, source="number")
    now = timezone.now()
    with transaction.atomic():
        ticket, found = _pair(ticket_id, actor=actor, number=number)
        if found is None:
            raise ValidationError(
                {"ticket": _("There is no ticket %(number)s.") % {"number": number}}
            )
        if found.pk == ticket.pk:
            raise ValidationError({"ticket": _("A ticket cannot be linked to itself.")})
        if TicketLink.objects.filter(_between(ticket, found)).exists():
            raise InvalidTransition(
                _("%(a)s and %(b)s are already linked.") % {"a": ticket.number, "b": found.number}
            )
        link = TicketLink.objects.create(
            from_ticket=ticket,
            to_ticket=found,
            kind=LinkKind.RELATED,
            created_by=actor,
            created_at=now,
        )
        _record_both(EventKind.LINKED, ticket, found, actor=actor, now=now, link_kind=link.kind)
    return link


def unlink_tickets(ticket_id: int, *, actor: User, other: str) -> None:
    """Remove the link between two tickets, whichever side made it (a follow-up link too);
    404 when there is none."""
    number = base.text("ticket", other, source="number")
    now = timezone.now()
    with transaction.atomic():
        ticket, found = _pair(ticket_id, actor=actor, number=number)
        if found is None:
            raise TicketNotFound
        links = list(TicketLink.objects.filter(_between(ticket, found)))
        if not links:
            raise TicketNotFound
        TicketLink.objects.filter(pk__in=[link.pk for link in links]).delete()
        first = links[0]
        a, b = (ticket, found) if first.from_ticket_id == ticket.pk else (found, ticket)
        _record_both(EventKind.UNLINKED, a, b, actor=actor, now=now, link_kind=first.kind)


def submit_follow_up(origin_id: int, *, actor: User, **fields: Any) -> Ticket:
    """File a new ticket ("report a related problem") linked to ``origin`` as its follow-up,
    in one transaction. ``fields`` are ``submit_ticket``'s; the origin must be visible (404)."""
    with transaction.atomic():
        origin = base.lock(origin_id, actor)
        ticket = submit_ticket(actor=actor, **fields)
        now = ticket.submitted_at  # the link is part of the filing, on both timelines
        TicketLink.objects.create(
            from_ticket=ticket,
            to_ticket=origin,
            kind=LinkKind.FOLLOW_UP,
            created_by=actor,
            created_at=now,
        )
        _record_both(
            EventKind.LINKED, ticket, origin, actor=actor, now=now, link_kind=LinkKind.FOLLOW_UP
        )
    return ticket
