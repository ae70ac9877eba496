"""Remote-session consent plugs into the ticket page: the requester's panel (grant, refuse,
revoke, with big buttons saying what tool, why and how long), the engineer's panel in the
work column (ask, and every consent with its status and expiry), the timeline entries and
the notification kinds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from fieldwork import selectors_worklog as selectors
from fieldwork.choices import ConsentState, ConsentStatus
from fieldwork.models import RemoteConsent
from fieldwork.services.consents import ConsentEntry, ConsentNotice
from fieldwork.templatetags import work_rows
from fieldwork.views.consents import (
    COMMON_TOOLS,
    REQUESTER_PANEL,
    WORK_PANEL,
    ConsentRequestForm,
    RefuseForm,
)
from notifications import kinds as notification_kinds
from tickets import hooks, permissions
from tickets.choices import WORK_STATES
from tickets.models import Ticket
from tickets.selectors_prepared import Prepared, Read, register_page_reads
from tickets.templatetags.ticket_tags import write_entries_with
from tickets.views.common import blank_form

EVENT_TEMPLATE = "fieldwork/partials/consent_event.html"
# At most this many consents in the engineer's panel (the timeline has them all).
WORK_PANEL_ROWS = 10


def requester_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the ticket's requester: requests awaiting an answer and grants still running
    (one query); nothing when there is neither."""
    if not permissions.is_requester_of(ticket, user):
        return None
    now = timezone.now()
    open_ = selectors.consents_on(ticket).filter(
        state__in=[ConsentState.REQUESTED, ConsentState.GRANTED]
    )
    waiting, running = [], []
    for consent in open_:
        status = consent.status_at(now)
        if status == ConsentStatus.REQUESTED and ticket.state in WORK_STATES:
            waiting.append(consent)
        elif status == ConsentStatus.GRANTED:
            running.append(_row(consent, status, now))
    if not waiting and not running:
        return None
    return {
        "waiting": waiting,
        "running": running,
        "refuse_form": blank_form(RefuseForm),
        "now": now,
    }


# The engineer's panel's read, compiled once per process (``tickets.selectors_prepared``).
_LATEST = Prepared(
    lambda ticket_id: selectors.consents_on(Ticket(pk=ticket_id))[:WORK_PANEL_ROWS], int
)


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the desk: the latest consents with their status now, and the request form for
    the engineer handling the ticket (one query)."""
    if not permissions.can_view_internal(user):
        return None
    now = timezone.now()
    rows = [_row(c, c.status_at(now), now) for c in _LATEST.objects(ticket.pk)]
    pending = any(row["status"] == ConsentStatus.REQUESTED for row in rows)
    may_ask = permissions.can_handle(ticket, user) and ticket.state in WORK_STATES
    return {
        "rows": rows,
        "active": next((row for row in rows if row["status"] == ConsentStatus.GRANTED), None),
        "may_ask": may_ask and not pending,
        "pending": pending,
        "form": blank_form(ConsentRequestForm),
        "tools": COMMON_TOOLS,
        "now": now,
        "open": False,
    }


def _row(consent: RemoteConsent, status: str, now: dt.datetime) -> dict[str, Any]:
    """A consent as the panels show it: its status now and, while granted, the seconds
    left (for "until 15:20, 25 min left")."""
    left = None
    if status == ConsentStatus.GRANTED and consent.expires_at is not None:
        left = int((consent.expires_at - now).total_seconds())
    return {"consent": consent, "status": status, "left": left}


def page_reads(ticket: Ticket, user: User) -> list[Read]:
    """What ``work_panel`` will read on the ticket page (``selectors_prepared.batched``)."""
    return [(_LATEST, (ticket.pk,))] if permissions.can_view_internal(user) else []


def register() -> None:
    register_page_reads(page_reads)
    write_entries_with(EVENT_TEMPLATE, work_rows.consent_entry)
    notification_kinds.register(ConsentNotice)
    hooks.register_entry_kinds(
        ConsentEntry,
        icon="ti-device-desktop-share",
        templates=dict.fromkeys(ConsentEntry.values, EVENT_TEMPLATE),
    )
    hooks.register_panel(
        hooks.Panel(
            REQUESTER_PANEL,
            "requester",
            "fieldwork/partials/consent_requester.html",
            requester_panel,
            order=10,
        )
    )
    hooks.register_panel(
        hooks.Panel(
            WORK_PANEL, "work", "fieldwork/partials/consent_work.html", work_panel, order=20
        )
    )
