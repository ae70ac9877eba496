"""Filing a ticket: from the form, the API, or an engineer logging a call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import capabilities
from assets.models import Asset
from tickets import clocks, hooks, notify, permissions, search, selectors
from tickets.attachments import validate_request
from tickets.choices import (
    OPEN_STATES,
    Channel,
    EventKind,
    Impact,
    Priority,
    TicketNotice,
    TicketState,
    Urgency,
)
from tickets.errors import ActionForbidden
from tickets.models import Category, Ticket, TicketEvent
from tickets.priority import derive_priority
from tickets.services import base


def _next_number(now: dt.datetime) -> str:
    """``IT-YYYYMMDD-NNNN`` with a per-day counter that is safe under concurrency."""
    day = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticketcounter (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = tickets_ticketcounter.last + 1 "
            "RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return f"IT-{day:%Y%m%d}-{sequence:04d}"


def submit_ticket(
    *,
    actor: User,
    title: str,
    description: str,
    category: Category | str,
    impact: str,
    urgency: str,
    requester: User | None = None,
    channel: str = Channel.WEB,
    affected_system: str = "",
    occurred_at: dt.datetime | None = None,
    scenario: str = "",
    contact: str = "",
    asset: Asset | None = None,
    files: Sequence[UploadedFile[bytes]] = (),
) -> Ticket:
    """File a ticket. With a ``requester`` other than the actor, an engineer logs a call.

    Both SLA clocks start now; a high-priority ticket (a 7x24 emergency) is
    announced to every engineer. The registered assigner (``hooks.auto_assign``:
    automatic assignment by skill, when on for the site) runs inside the transaction
    before the ticket is inserted, then the site's local-contact routing if nobody got
    the ticket.
    """
    caps = capabilities(actor)
    if not caps.file_ticket:
        raise ActionForbidden(_("You may not file tickets."))
    requester = requester or actor
    on_behalf = requester.pk != actor.pk
    if on_behalf and not permissions.can_file_for_others(actor):
        raise ActionForbidden(_("You may not file tickets for other people."))
    if not requester.is_active:
        raise ValidationError({"requester": _("This person's account is disabled.")})
    if on_behalf and not permissions.serves_site(actor, requester.site_id):
        # Staff limited to some sites could not open the ticket they filed (R7.2): the call
        # form does not offer such people (``tickets.callers``), and neither does the API.
        raise ValidationError({"requester": _("This person is outside the sites you work for.")})
    fields = {
        "title": base.text("title", title, single_line=True),
        "description": base.text("description", description),
        "affected_system": base.text("affected_system", affected_system, required=False),
        "scenario": base.text("scenario", scenario, required=False),
        "contact": base.text("contact", contact, required=False),
        "impact": base.choice("impact", impact, Impact),
        "urgency": base.choice("urgency", urgency, Urgency),
        "channel": base.choice("channel", channel, Channel),
    }
    cat = base.category(category)
    since = base.occurred_at(occurred_at, timezone.now())
    if asset is not None and asset.owner_id not in (None, requester.pk) and not caps.view_all:
        raise ValidationError({"asset": _("This device is not yours.")})
    validate_request(files)
    now = timezone.now()
    base.check_upload_quotas(files, actor=actor, now=now)
    with transaction.atomic():
        ticket = Ticket(
            number=_next_number(now),
            requester=requester,
            reported_by=actor if on_behalf else None,
            site=requester.site,
            category=cat,
            asset=asset,
            occurred_at=since,
            priority=derive_priority(
                impact=fields["impact"],
                urgency=fields["urgency"],
                is_security=cat.is_security_incident,
            ),
            submitted_at=now,
            last_activity_at=now,
            **fields,
        )
        # Automatic assignment first (``hooks.auto_assign``: a skilled engineer on shift,
        # when it is on for the ticket's site), chosen before the ticket is inserted: it is
        # inserted already assigned (or with the note saying why nobody), one write.
        outcome = hooks.auto_assign(ticket, now)
        if outcome is not None:
            ticket.assignee = outcome.assignee
            ticket.assign_note = "" if outcome.assignee else outcome.note
        ticket.save(force_insert=True)
        sla_data = clocks.start(ticket)
        ticket.save(update_fields=clocks.SLA_FIELDS)
        # The filing's timeline entries in one statement: filed, the clocks, the assigner's.
        entries = [
            TicketEvent(
                ticket=ticket,
                kind=EventKind.SUBMITTED,
                actor=actor,
                at=now,
                to_state=TicketState.SUBMITTED,
                data={"channel": ticket.channel, "priority": ticket.priority},
            ),
            TicketEvent(ticket=ticket, kind=EventKind.SLA_STARTED, at=now, data=sla_data),
        ]
        if outcome is not None and outcome.entry is not None:
            entry = outcome.entry
            entries.append(
                TicketEvent(
                    ticket=ticket,
                    kind=entry.kind,
                    at=now,
                    data=entry.data,
                    is_internal=entry.is_internal,
                )
            )
        TicketEvent.objects.bulk_create(entries)
        event, assigned = entries[0], entries[-1]
        base.store_files(ticket, files, actor=actor, now=now)
        search.refresh_ticket(ticket.pk)
        # The filing's notices in one batch: a high-priority ticket (a 7x24 emergency) to
        # every engineer, the ticket to whom automatic assignment gave it.
        told: notify.Rows = []
        if ticket.priority == Priority.HIGH:
            told += notify.rows_for(
                selectors.engineers_for_site(ticket.site_id), TicketNotice.SUBMITTED, ticket, event
            )
        routed = ticket.assignee
        if routed is not None:
            told += notify.rows_for([routed], TicketNotice.ASSIGNED, ticket, assigned)
        # When automatic assignment gave the ticket to nobody, the site's local-contact
        # routing may still pick one of its contacts.
        elif settings.TICKETS_ROUTE_TO_LOCAL_CONTACT:
            routed = _route_to_local_contact(ticket, now)
        # The site's local IT contacts hear of every ticket filed there (once: one told of a
        # high-priority ticket above already has this event's message).
        told += notify.local_contact_rows(ticket, event, besides=[routed])
        notify.send(told)
    return ticket


def _route_to_local_contact(ticket: Ticket, now: dt.datetime) -> User | None:
    """With ``TICKETS_ROUTE_TO_LOCAL_CONTACT`` on, a ticket filed at a site with local IT
    contacts is assigned (not accepted: the response clock runs until they accept) to the
    one with the fewest open tickets, by the system, and they are told."""
    contact = (
        selectors.local_contacts_of(ticket.site_id)
        .annotate(
            open_load=Count(
                "assigned_tickets", filter=Q(assigned_tickets__state__in=sorted(OPEN_STATES))
            )
        )
        .order_by("open_load", "username")
        .first()
    )
    if contact is None:
        return None
    ticket.assignee = contact
    ticket.assign_note = ""  # automatic assignment's "why nobody", if any, is moot now
    ticket.save(update_fields=["assignee", "assign_note"])
    event = base.record(
        ticket,
        EventKind.ASSIGNED,
        actor=None,
        now=now,
        data={
            "from": "",
            "to": contact.name,
            "reason": _("Routed to the site's local IT contact."),
        },
    )
    notify.tell([contact], TicketNotice.ASSIGNED, ticket, event)
    return contact
