"""Reopening a finished ticket: the fix did not last.

Within ``TICKETS_REOPEN_DAYS`` calendar days of closing (or of the requester's verification,
while the ticket is not yet closed), the requester — or a tech lead for them — sends a
completed ticket back to ``diagnosed`` with a reason. It keeps its history, assignee and
diagnosis; ``reopen_count`` goes up as for a rejected fix; the assignee is told.

The resolution clock resumes as after a rejected fix: the time since the fix was proposed
(the pause "fix awaiting verification" that began at resolve) counts as held, so the
engineer has what was left of the budget when the fix went in — no fresh budget, and no
breach for the days the ticket sat closed. A resolution already late stays late. The
response clock is history (the ticket was accepted long ago).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import actions
from tickets.actions import Action
from tickets.choices import ClosedAs, EventKind, TicketNotice, TicketState
from tickets.errors import InvalidTransition
from tickets.limits import TEXT_MAX
from tickets.models import Ticket, TicketEvent
from tickets.services import base
from tickets.services.lifecycle import back_to_the_engineer


def reopen_refusal(ticket: Ticket) -> str:
    """Why this finished (or open) ticket cannot be reopened now, in words for its requester."""
    if ticket.state not in (TicketState.VERIFIED, TicketState.CLOSED):
        return _("Only a finished ticket can be reopened; this one is %(state)s.") % {
            "state": ticket.get_state_display()
        }
    if ticket.closed_as == ClosedAs.DUPLICATE:
        return _("This ticket was merged into another one; follow that one instead.")
    if ticket.closed_as == ClosedAs.CANCELLED:
        return _("A cancelled ticket cannot be reopened; please report a new problem.")
    return _(
        "Tickets can be reopened for %(days)d days after closing; this one is older. "
        "Please report a related problem instead."
    ) % {"days": settings.TICKETS_REOPEN_DAYS}


def _held_since(ticket: Ticket, now: dt.datetime) -> dt.datetime:
    """When the resolution clock stopped counting: the start of the pause still open on the
    timeline (the fix awaiting verification, or an earlier wait on the requester)."""
    started: dt.datetime | None = None
    for kind, at in (
        TicketEvent.objects.filter(
            ticket=ticket, kind__in=(EventKind.SLA_PAUSED, EventKind.SLA_RESUMED)
        )
        .order_by("at", "pk")
        .values_list("kind", "at")
    ):
        if kind == EventKind.SLA_PAUSED and started is None:
            started = at
        elif kind == EventKind.SLA_RESUMED:
            started = None
    return started or ticket.resolved_at or ticket.verified_at or ticket.closed_at or now


def reopen_ticket(ticket_id: int, *, actor: User, reason: str) -> Ticket:
    """Send a completed ticket back to ``diagnosed`` (requester or tech lead, within the
    window); 409 with the reason when it is open, cancelled, merged or too old."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        try:
            actions.check(ticket, actor, Action.REOPEN)
        except InvalidTransition:
            raise InvalidTransition(reopen_refusal(ticket)) from None
        why = base.text("reason", reason, limit=TEXT_MAX)
        held_since = _held_since(ticket, now)
        from_state = ticket.state
        ticket.reopen(now=now)
        ticket.sla_paused_at = held_since
        back_to_the_engineer(
            ticket,
            actor=actor,
            now=now,
            kind=EventKind.REOPENED,
            from_state=from_state,
            reason=why,
            resume_reason="reopened",
            notice=TicketNotice.REOPENED,
        )
    return ticket
