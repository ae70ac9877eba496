"""Who hears about what happens to a ticket. The outbox (``notifications``) only delivers.

Called by the services and the SLA sweep inside their transaction; every row
names its cause (the timeline event, or the SLA milestone), so a cause
written twice notifies once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from accounts.models import User
from notifications import outbox
from tickets.choices import TicketNotice
from tickets.models import Ticket, TicketEvent
from tickets.selectors import engineers, engineers_for_site, local_contacts_of, tech_leads


def ticket_link(ticket: Ticket) -> str:
    return reverse("tickets:detail", kwargs={"number": ticket.number})


def rows_about(
    ticket: Ticket,
    *,
    recipients: Iterable[User | None],
    kind: TicketNotice,
    cause: str,
    now: dt.datetime,
    extra: dict[str, str] | None = None,
) -> list[outbox.Outgoing]:
    """Unsaved rows telling ``recipients`` about ``ticket`` (for a batch, like the sweep)."""
    return outbox.build(
        recipients=recipients,
        kind=kind,
        cause=cause,
        now=now,
        link=ticket_link(ticket),
        payload={"number": ticket.number, "title": ticket.title, **(extra or {})},
    )


def tell(
    recipients: Iterable[User | None], kind: TicketNotice, ticket: Ticket, event: TicketEvent
) -> None:
    """Tell these people about the event just recorded on the ticket."""
    outbox.save_and_dispatch(
        rows_about(
            ticket, recipients=recipients, kind=kind, cause=f"event:{event.pk}", now=event.at
        )
    )


def tell_requester(kind: TicketNotice, ticket: Ticket, event: TicketEvent) -> None:
    """The requester, and the ticket's followers: they hear what the requester hears."""
    tell([ticket.requester], kind, ticket, event)
    tell_watchers(kind, ticket, event, besides=[ticket.requester])


# What followers are told under which kind: the requester's "please verify the fix" is
# "a ticket you follow was resolved" to a colleague; anything not named is an update.
_FOR_WATCHERS = {
    TicketNotice.REPLY: TicketNotice.REPLY,
    TicketNotice.INFO_PROVIDED: TicketNotice.REPLY,
    TicketNotice.INFO_REQUESTED: TicketNotice.INFO_REQUESTED,
    TicketNotice.ACCEPTED: TicketNotice.FOLLOWED_ACCEPTED,
    TicketNotice.RESOLVED: TicketNotice.FOLLOWED_RESOLVED,
}


def tell_watchers(
    kind: TicketNotice,
    ticket: Ticket,
    event: TicketEvent,
    *,
    besides: Iterable[User | None] = (),
) -> None:
    """The ticket's followers about a public event: never the one who acted, nor anyone in
    ``besides`` (told already under their own kind). Only for events the requester may see:
    an internal note is nobody's news outside the desk."""
    if event.is_internal:
        return
    skip = {event.actor_id, *(person.pk for person in besides if person is not None)}
    people = [w.user for w in ticket.watchers.select_related("user") if w.user_id not in skip]
    if people:
        tell(people, _FOR_WATCHERS.get(kind, TicketNotice.FOLLOWED_UPDATE), ticket, event)


def tell_assignee(kind: TicketNotice, ticket: Ticket, event: TicketEvent) -> None:
    tell([ticket.assignee], kind, ticket, event)


def tell_engineers(kind: TicketNotice, ticket: Ticket, event: TicketEvent) -> None:
    """Every engineer who may see the ticket (R7.2: site limits): a 7x24 emergency (high
    priority) is everyone's business."""
    tell(engineers_for_site(ticket.site_id), kind, ticket, event)


def tell_local_contacts(
    ticket: Ticket, event: TicketEvent, *, besides: Iterable[User | None] = ()
) -> None:
    """The site's local IT contacts (R7.2) about a ticket filed at their site, except the
    people in ``besides`` (told already, e.g. the one it was routed to)."""
    skip = {person.pk for person in besides if person is not None}
    people = [p for p in local_contacts_of(ticket.site_id) if p.pk not in skip]
    if people:
        tell(people, TicketNotice.SITE_TICKET, ticket, event)


class SlaAudience:
    """Who hears of an SLA warning or breach, loaded once per sweep batch.

    The assignee; an unassigned ticket belongs to the queue of its site (the
    engineers based there, or every engineer when the site has none, or the
    ticket no site). Breaches also go to the tech leads. Nobody hears of a ticket
    their site limits keep from them (R7.2): an engineer limited to site A is not
    alerted about site B's unassigned tickets.
    """

    def __init__(self, tickets: list[Ticket]) -> None:
        self.queue = list(engineers())
        self.leads = list(tech_leads())
        self.limits: dict[int, set[int]] = defaultdict(set)
        staff = {person.pk for person in [*self.queue, *self.leads]}
        for user_id, site_id in User.limited_to_sites.through.objects.filter(
            user_id__in=staff
        ).values_list("user_id", "site_id"):
            self.limits[user_id].add(site_id)
        self.by_site: dict[int | None, list[User]] = defaultdict(list)
        for person in self.queue:
            self.by_site[person.site_id].append(person)
        self.by_id = {person.pk: person for person in [*self.queue, *self.leads]}
        missing = {
            t.assignee_id for t in tickets if t.assignee_id and t.assignee_id not in self.by_id
        }
        if missing:
            self.by_id.update({u.pk: u for u in User.objects.filter(pk__in=missing)})

    def _serves(self, person: User, site_id: int | None) -> bool:
        sites = self.limits.get(person.pk)
        return not sites or person.is_superuser or site_id in sites

    def for_ticket(self, ticket: Ticket, *, breach: bool) -> list[User]:
        site = ticket.site_id
        if ticket.assignee_id:
            recipients = [self.by_id[ticket.assignee_id]]
        else:
            local = [p for p in self.by_site.get(site, []) if self._serves(p, site)]
            recipients = local or [p for p in self.queue if self._serves(p, site)]
        if breach:
            recipients = [*recipients, *(p for p in self.leads if self._serves(p, site))]
        return recipients
