"""Changing a ticket outside its lifecycle: descriptive fields, priority, the assignee."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import actions, clocks, notify, permissions, search, selectors
from tickets.actions import Action
from tickets.choices import EventKind, Priority, TicketNotice
from tickets.errors import InvalidTransition
from tickets.limits import TEXT_MAX
from tickets.models import Ticket
from tickets.services import base

# Fields a PATCH or the edit form may change; everything else has its own service.
EDITABLE_FIELDS = ("title", "description", "affected_system", "scenario", "occurred_at", "contact")
REQUIRED_FIELDS = ("title", "description")


def update_ticket_details(ticket_id: int, *, actor: User, changes: dict[str, Any]) -> Ticket:
    """Edit descriptive fields only (``EDITABLE_FIELDS``); anything else is ignored."""
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            continue
        if field == "occurred_at":
            cleaned[field] = base.occurred_at(value, timezone.now())
        else:
            cleaned[field] = base.text(
                field, value, required=field in REQUIRED_FIELDS, single_line=field == "title"
            )
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.EDIT)
        changed = [f for f, v in cleaned.items() if getattr(ticket, f) != v]
        if not changed:
            return ticket
        for field in changed:
            setattr(ticket, field, cleaned[field])
        ticket.last_activity_at = now
        ticket.save(update_fields=[*changed, "last_activity_at"])
        search.refresh_ticket(ticket.pk)
        base.record(
            ticket, EventKind.DETAILS_EDITED, actor=actor, now=now, data={"fields": changed}
        )
    return ticket


def change_priority(ticket_id: int, *, actor: User, priority: str, reason: str) -> Ticket:
    """Override the derived priority; the reason is required and kept on the ticket and timeline.
    The clocks follow the re-triage rule of the new priority's policy (``clocks.reprioritise``):
    by default a clock not yet met restarts at the change, so the change itself never makes
    the ticket overdue, records no breach and tells nobody of one."""
    new = base.choice("priority", priority, Priority)
    why = base.text("reason", reason, source="priority_reason")
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.PRIORITY)
        if ticket.priority == new:
            raise InvalidTransition(_("The ticket already has this priority."))
        old = ticket.priority
        ticket.priority = new
        ticket.priority_reason = why
        ticket.last_activity_at = now
        recalculated = clocks.reprioritise(ticket, now, previous=old, reason=why)
        ticket.save(
            update_fields=["priority", "priority_reason", "last_activity_at", *clocks.SLA_FIELDS]
        )
        base.record(
            ticket,
            EventKind.PRIORITY_CHANGED,
            actor=actor,
            now=now,
            data={"from": old, "to": new, "reason": why},
        )
        base.record(ticket, EventKind.SLA_RECALCULATED, actor=actor, now=now, data=recalculated)
    return ticket


def preview_priority_change(
    ticket: Ticket, *, actor: User, priority: str, now: dt.datetime | None = None
) -> tuple[Ticket, dict[str, Any]]:
    """What ``change_priority`` would do to the clocks, without saving anything: an unsaved
    copy of the (visible) ticket with the new deadlines, and the ``sla_recalculated`` data
    the save would record. Same checks as the change (403 never, 409 not now, 400 for an
    unknown priority); read-only, so no lock."""
    new = base.choice("priority", priority, Priority)
    actions.check(ticket, actor, Action.PRIORITY)
    if ticket.priority == new:
        raise InvalidTransition(_("The ticket already has this priority."))
    draft = copy.copy(ticket)
    previous = draft.priority
    draft.priority = new
    data = clocks.reprioritise(draft, now or timezone.now(), previous=previous, reason="")
    return draft, data


def assign_ticket(ticket_id: int, *, actor: User, assignee: User, reason: str) -> Ticket:
    """A tech lead dispatches a ticket to an engineer, or hands it to another one, with a
    reason kept in the timeline; the engineer is told. A submitted ticket stays submitted:
    its response clock runs until the assignee accepts it."""
    why = base.text("reason", reason, limit=TEXT_MAX)
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.ASSIGN)
        # People whose role works the queue: not a superuser or an admin by that alone.
        if not selectors.engineers().filter(pk=assignee.pk).exists():
            raise ValidationError({"assignee": _("This person does not work the queue.")})
        if not permissions.serves_site(assignee, ticket.site_id):  # R7.2: they could not open it
            raise ValidationError({"assignee": _("This engineer works only for other sites.")})
        if ticket.assignee_id == assignee.pk:
            raise InvalidTransition(_("The ticket is already assigned to this engineer."))
        old = ticket.assignee.name if ticket.assignee else ""
        ticket.assignee = assignee
        ticket.last_activity_at = now
        ticket.save(update_fields=["assignee", "last_activity_at"])
        event = base.record(
            ticket,
            EventKind.ASSIGNED,
            actor=actor,
            now=now,
            data={"from": old, "to": assignee.name, "reason": why},
        )
        notify.tell([assignee], TicketNotice.ASSIGNED, ticket, event)
    return ticket
