"""Who hears about what happens to a ticket. The outbox (``notifications``) only delivers.

Called by the services and the SLA sweep inside their transaction; every row
names its cause (the timeline event, or the SLA milestone), so a cause
written twice notifies once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.urls import reverse

from accounts.models import User
from notifications import outbox
from notifications.choices import Urgency
from tickets.choices import Priority, TicketNotice
from tickets.models import SlaEventKind, Ticket, TicketEvent
from tickets.selectors import (
    engineers,
    engineers_for_site,
    local_contacts_of,
    tech_leads,
    users_with_permission,
)

# Unsaved notification rows, for a batch (``rows_for``, ``send``).
Rows = list[outbox.Outgoing]

BREACHES = frozenset({SlaEventKind.RESPONSE_BREACH, SlaEventKind.RESOLUTION_BREACH})


def ticket_link(ticket: Ticket) -> str:
    return reverse("tickets:detail", kwargs={"number": ticket.number})


_NUMBER = "NUMBER"


def ticket_links() -> Callable[[Ticket], str]:
    """``ticket_link`` with the route reversed once: a sweep batch links hundreds."""
    head, tail = reverse("tickets:detail", kwargs={"number": _NUMBER}).split(_NUMBER)
    return lambda ticket: f"{head}{ticket.number}{tail}"


def ticket_id(number: str) -> int | None:
    """The ticket a notification's number names (its e-mail's reply token needs the id)."""
    return Ticket.objects.filter(number=number).values_list("pk", flat=True).first()


def rows_about(
    ticket: Ticket,
    *,
    recipients: Iterable[User | None],
    kind: TicketNotice,
    cause: str,
    now: dt.datetime,
    extra: dict[str, str] | None = None,
    urgency: str = Urgency.NORMAL,
    link: str = "",
) -> list[outbox.Outgoing]:
    """Unsaved rows telling ``recipients`` about ``ticket`` (for a batch, like the sweep);
    ``urgency`` says whether they may be folded into a digest (``Urgency``); ``link`` the
    ticket's, when the caller has it already (``ticket_links``)."""
    return outbox.build(
        recipients=recipients,
        kind=kind,
        cause=cause,
        now=now,
        link=link or ticket_link(ticket),
        payload={"number": ticket.number, "title": ticket.title, **(extra or {})},
        urgency=urgency,
    )


def rows_for(
    recipients: Iterable[User | None], kind: TicketNotice, ticket: Ticket, event: TicketEvent
) -> Rows:
    """Unsaved rows telling these people about the event just recorded on the ticket (a
    service telling several groups at once saves them in one batch: ``send``)."""
    return rows_about(
        ticket, recipients=recipients, kind=kind, cause=f"event:{event.pk}", now=event.at
    )


def send(rows: Rows) -> None:
    """Save a batch of ``rows_for`` rows in one statement (nothing to do without rows)."""
    if rows:
        outbox.save_and_dispatch(rows)


def tell(
    recipients: Iterable[User | None], kind: TicketNotice, ticket: Ticket, event: TicketEvent
) -> None:
    """Tell these people about the event just recorded on the ticket."""
    outbox.save_and_dispatch(rows_for(recipients, kind, ticket, event))


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
    send(local_contact_rows(ticket, event, besides=besides))


def local_contact_rows(
    ticket: Ticket, event: TicketEvent, *, besides: Iterable[User | None] = ()
) -> Rows:
    """``tell_local_contacts``'s rows, unsaved (for a batch: ``send``)."""
    skip = {person.pk for person in besides if person is not None}
    people = [p for p in local_contacts_of(ticket.site_id) if p.pk not in skip]
    return rows_for(people, TicketNotice.SITE_TICKET, ticket, event) if people else []


def severity(ticket: Ticket) -> str:
    """How news of a ticket's clocks travels: a high-priority ticket's at once (never
    folded, through quiet hours), the others' may be folded into digests."""
    return Urgency.HIGH if ticket.priority == Priority.HIGH else Urgency.NORMAL


class _Desk:
    """The people who hear of clocks, loaded once per sweep batch, with their site limits
    (R7.2: nobody hears of a ticket their limits keep from them)."""

    def __init__(self, people: list[User]) -> None:
        self.limits: dict[int, set[int]] = defaultdict(set)
        for user_id, site_id in User.limited_to_sites.through.objects.filter(
            user_id__in={person.pk for person in people}
        ).values_list("user_id", "site_id"):
            self.limits[user_id].add(site_id)

    def serves(self, person: User, site_id: int | None) -> bool:
        sites = self.limits.get(person.pk)
        return not sites or person.is_superuser or site_id in sites


class SlaAudience(_Desk):
    """Who hears of an SLA warning or breach, and how (``Urgency``), loaded once per batch.

    The assignee; an unassigned ticket belongs to the queue of its site (the engineers
    based there, or every engineer when the site has none, or the ticket no site).
    Warnings go to them as before. Breaches go to them without the tech leads, who get
    the breaches of the desk as digests (``Urgency.LOW``) and a high-priority ticket's
    second rung (``tickets.escalation``); a tech lead is told one by one only as the
    assignee, or when no other engineer may work the ticket.

    A high-priority ticket's news goes at once (``severity``); its response breach is the
    ladder's first rung: the engineers covering its site, and the assignee if someone
    was named. Nobody hears of a ticket their site limits keep from them.
    """

    def __init__(self, tickets: list[Ticket]) -> None:
        self.queue = list(engineers())
        self.leads = list(tech_leads())
        super().__init__([*self.queue, *self.leads])
        lead_ids = {person.pk for person in self.leads}
        self.by_site: dict[int | None, list[User]] = defaultdict(list)
        self.plain_by_site: dict[int | None, list[User]] = defaultdict(list)
        for person in self.queue:
            self.by_site[person.site_id].append(person)
            if person.pk not in lead_ids:
                self.plain_by_site[person.site_id].append(person)
        self.plain = [p for p in self.queue if p.pk not in lead_ids]
        self.by_id = {person.pk: person for person in [*self.queue, *self.leads]}
        missing = {
            t.assignee_id for t in tickets if t.assignee_id and t.assignee_id not in self.by_id
        }
        if missing:
            self.by_id.update({u.pk: u for u in User.objects.filter(pk__in=missing)})

    def _site_queue(self, site: int | None, *, leads: bool) -> list[User]:
        """The engineers of the site (every engineer when none is based there) who may see
        its tickets; without the tech leads unless ``leads`` or nobody else may."""
        sources = [(self.by_site, self.queue)] if leads else []
        sources += [(self.plain_by_site, self.plain), (self.by_site, self.queue)]
        for by_site, everyone in sources:
            local = [p for p in by_site.get(site, []) if self.serves(p, site)]
            found = local or [p for p in everyone if self.serves(p, site)]
            if found:
                return found
        return []

    def _handlers(self, ticket: Ticket, *, leads: bool) -> list[User]:
        if ticket.assignee_id:
            return [self.by_id[ticket.assignee_id]]
        return self._site_queue(ticket.site_id, leads=leads)

    def for_event(self, ticket: Ticket, kind: str) -> list[tuple[list[User], str]]:
        """(people, urgency) pairs to tell of a warning or breach of ``kind``."""
        urgency = severity(ticket)
        if kind not in BREACHES:
            return [(self._handlers(ticket, leads=True), urgency)]
        if kind == SlaEventKind.RESPONSE_BREACH and urgency == Urgency.HIGH:
            # The ladder's first rung: the site's engineers, and the one it was given to.
            queue = self._site_queue(ticket.site_id, leads=False)
            named = [self.by_id[ticket.assignee_id]] if ticket.assignee_id else []
            return [([*named, *(p for p in queue if p.pk != ticket.assignee_id)], urgency)]
        handlers = self._handlers(ticket, leads=False)
        told = {person.pk for person in handlers}
        leads = [p for p in self.leads if p.pk not in told and self.serves(p, ticket.site_id)]
        overview = Urgency.HIGH if urgency == Urgency.HIGH else Urgency.LOW
        return [(handlers, urgency), (leads, overview)]


class EscalationAudience(_Desk):
    """Who hears of a high-priority ticket's later rungs (``tickets.escalation``): the tech
    leads who serve its site, then the managers (``receive_escalations``) who do."""

    def __init__(self) -> None:
        self.leads = list(tech_leads())
        self.managers = list(users_with_permission("receive_escalations"))
        super().__init__([*self.leads, *self.managers])

    def for_rung(self, ticket: Ticket, kind: str) -> list[User]:
        people = self.leads if kind == SlaEventKind.ESCALATION_TECH_LEAD else self.managers
        return [p for p in people if self.serves(p, ticket.site_id)]
