"""What the desk does by itself: verify fixes nobody answered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import clocks, hooks
from tickets.choices import EventKind, TicketState
from tickets.models import Ticket
from tickets.services import base
from tickets.verification import auto_verify_at, auto_verify_days


def auto_verify_resolved(*, now: dt.datetime | None = None) -> int:
    """Verify fixes the requester left unanswered for ``TICKETS_AUTO_VERIFY_DAYS`` working
    days (DESIGN.md). Rows another writer holds are skipped and retried on the next run."""
    now = now or timezone.now()
    days = auto_verify_days()
    # Working days are never fewer than calendar days: a cheap first cut on the index.
    candidates = Ticket.objects.filter(
        state=TicketState.RESOLVED, resolved_at__lte=now - dt.timedelta(days=days)
    ).values_list("pk", flat=True)
    verified = 0
    for ticket_id in candidates:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(pk=ticket_id, state=TicketState.RESOLVED)
                .first()
            )
            if ticket is None or ticket.resolved_at is None:
                continue
            deadline = auto_verify_at(ticket)
            if deadline is None or deadline > now:
                continue
            note = _("Confirmed automatically: no answer within %(days)d working days.") % {
                "days": days
            }
            ticket.verify(verification_note=note, now=now)
            clocks.finish(ticket)
            ticket.last_activity_at = now
            ticket.save()
            base.record(
                ticket,
                EventKind.VERIFIED,
                actor=None,
                now=now,
                from_state=TicketState.RESOLVED,
                to_state=TicketState.VERIFIED,
                data={"note": note, "auto": True},
            )
            hooks.verified.send(sender=Ticket, ticket=ticket, actor=None, at=now)
            verified += 1
    return verified
