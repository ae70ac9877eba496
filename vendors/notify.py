"""Who hears about vendor cases. The outbox (``notifications``) only delivers.

* A case opened: the requester (and the ticket's followers, who hear what the requester
  hears) learn that the ticket waits on a vendor, and who.
* The cadence (``vendors.obligations``): when the requester is due an update the ticket's
  assignee hears of it (``vendor_update_due``; the tech leads when nobody is assigned);
  30 minutes later, still due, the tech leads (``vendor_update_overdue``).

Rows are written inside the transaction that causes them; each names its cause (the
timeline event, or the case, kind and due time), so a cause written twice notifies once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accounts.models import User
from notifications import outbox
from tickets.models import Ticket, TicketEvent
from tickets.notify import ticket_link
from vendors.choices import ReminderKind, VendorNotice
from vendors.models import VendorCase

# What ``outbox.build`` reads of a recipient (the sweep loads assignees with these only).
RECIPIENT_FIELDS = ("id", "email", "is_active")


def _rows(
    ticket: Ticket,
    *,
    recipients: Iterable[User | None],
    kind: str,
    cause: str,
    now: dt.datetime,
    extra: dict[str, str],
) -> list[outbox.Outgoing]:
    return outbox.build(
        recipients=recipients,
        kind=kind,
        cause=cause,
        now=now,
        link=ticket_link(ticket),
        payload={"number": ticket.number, "title": ticket.title, **extra},
    )


def case_opened(ticket: Ticket, case: VendorCase, event: TicketEvent) -> None:
    """The requester and the followers: the ticket waits on ``case.vendor`` now. Never the
    person who opened the case (an engineer following the ticket)."""
    people = [ticket.requester]
    people += [w.user for w in ticket.watchers.select_related("user")]
    recipients = [p for p in people if p.pk != event.actor_id]
    outbox.save_and_dispatch(
        _rows(
            ticket,
            recipients=recipients,
            kind=VendorNotice.CASE_OPENED,
            cause=f"event:{event.pk}",
            now=event.at,
            extra={"vendor": case.vendor.name},
        )
    )


def reminder_rows(
    ticket: Ticket,
    *,
    case_id: int,
    vendor: str,
    kind: str,
    due_at: dt.datetime,
    recipients: Iterable[User | None],
    now: dt.datetime,
) -> list[outbox.Outgoing]:
    """Unsaved rows about one cadence reminder (the sweep saves a batch's rows at once)."""
    stamp = due_at.isoformat()
    return _rows(
        ticket,
        recipients=recipients,
        kind=ReminderKind(kind),
        cause=f"vendor:{case_id}:{kind}:{stamp}",
        now=now,
        extra={"due_at": stamp, "vendor": vendor},
    )


def reminder_recipients(
    ticket: Ticket, kind: str, *, assignee: User | None, leads: list[User]
) -> list[User]:
    """The assignee hears that an update is due (the tech leads when nobody is assigned);
    the tech leads hear that it is overdue."""
    if kind == ReminderKind.UPDATE_DUE and assignee is not None:
        return [assignee]
    return list(leads)
