"""The vendor-update cadence, declared on ``sla``'s timed-obligation mechanism.

Rows: vendor cases with ``next_check_at`` set (partial index ``vendors_case_due``): an
open case's next look is its ``next_update_due_at``, then the moment that update is
30 minutes overdue on the same calendar, then nothing until someone updates the
requester (``vendors.services.cases.note_public_update`` sets both columns again).
Due: ``vendor_update_due`` once the due time has passed, ``vendor_update_overdue`` once
the overdue time has; both recorded in ``VendorReminder`` under the update's due time,
unique per case, kind and due time, so each is recorded and announced once per due
time however many sweeps run. Announce: an internal timeline entry per reminder, the
assignee told that an update is due, the tech leads that it is overdue.

The calendar depends on the case's ticket (its priority and site); the sweep claims
case rows only (never locking tickets, which services lock), so each batch reads its
tickets once, in one query, through ``_TicketsOfBatch``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from notifications import outbox
from servicedesk.lib.business_hours import CalendarData
from sla.obligations import Due, Obligation, sweep
from tickets.choices import WORK_STATES
from tickets.models import Ticket, TicketEvent
from tickets.selectors import tech_leads
from vendors import cadence, notify
from vendors.choices import CaseEntry, CaseStatus, ReminderKind
from vendors.models import Vendor, VendorCase, VendorReminder

ENTRY_OF = {
    ReminderKind.UPDATE_DUE: CaseEntry.REMINDER_DUE,
    ReminderKind.UPDATE_OVERDUE: CaseEntry.REMINDER_OVERDUE,
}


@dataclass(frozen=True, slots=True)
class _TicketClock:
    """What the cadence needs of a case's ticket: whether it is still being worked, and
    the calendar its resolution clock (so the cadence) runs on."""

    working: bool
    calendar: CalendarData


class _TicketsOfBatch:
    """The tickets of the cases one batch claimed, read once.

    The sweep hands the declaration one row at a time and claims case rows only (never a
    ticket, which services lock). On the first row asked for, this reads in one query the
    tickets of the cases due by ``now`` in the claim's order, a few batches' worth
    without locking anything: normally exactly the rows claimed. A row missing from it
    (another sweep claimed the first ones, a service held some) is read on its own.
    """

    AHEAD = 4  # batches' worth of rows read at once

    def __init__(self, now: dt.datetime, size: int) -> None:
        self.now = now
        self.size = size
        self.found: dict[int, _TicketClock] | None = None

    def of(self, case: VendorCase) -> _TicketClock:
        if self.found is None:
            self.found = self._read(
                VendorCase.objects.filter(next_check_at__lte=self.now)
                .order_by("next_check_at")
                .values_list("ticket_id", "ticket__state", "ticket__priority", "ticket__site_id")[
                    : self.size * self.AHEAD
                ]
            )
        if case.ticket_id not in self.found:
            self.found.update(
                self._read(
                    Ticket.objects.filter(pk=case.ticket_id).values_list(
                        "pk", "state", "priority", "site_id"
                    )
                )
            )
        return self.found[case.ticket_id]

    @staticmethod
    def _read(rows: Any) -> dict[int, _TicketClock]:
        return {
            ticket_id: _TicketClock(state in WORK_STATES, cadence.calendar_of(priority, site_id))
            for ticket_id, state, priority, site_id in rows
        }


class CaseCadence(Obligation[VendorCase]):
    name = "vendors.cadence"
    model = VendorCase
    next_check_field = "next_check_at"
    event_model = VendorReminder
    event_object_field = "case"
    fields = ("ticket_id", "vendor_id", "status", "next_update_due_at")
    progress_fields = ("next_check_at",)

    def __init__(self) -> None:
        # The registered declaration is shared by every sweep of the process; each thread
        # keeps its own batch. ``due`` runs for every row of a batch, then ``advance``:
        # the first ``due`` after an ``advance`` starts the next batch.
        self._local = threading.local()

    def _batch(self, now: dt.datetime, *, starting: bool) -> _TicketsOfBatch:
        local = self._local
        fresh = getattr(local, "phase", None) != "due" or local.tickets.now != now
        if starting and fresh:  # (a batch that failed half-way never reached ``advance``)
            local.tickets = _TicketsOfBatch(now, self.batch_size)
            local.phase = "due"
        batch: _TicketsOfBatch = local.tickets
        return batch

    def due(self, row: VendorCase, now: dt.datetime) -> list[Due]:
        clock = self._batch(now, starting=True).of(row)
        due_at = row.next_update_due_at
        if row.status != CaseStatus.OPEN or due_at is None or not clock.working:
            return []
        found = []
        if due_at <= now:
            found.append(Due(row.pk, ReminderKind.UPDATE_DUE, due_at))
        if cadence.overdue_at(due_at, clock.calendar) <= now:
            found.append(Due(row.pk, ReminderKind.UPDATE_OVERDUE, due_at))
        return found

    def advance(self, row: VendorCase, due: list[Due], now: dt.datetime) -> None:
        clock = self._batch(now, starting=False).of(row)
        self._local.phase = "advance"
        if row.status != CaseStatus.OPEN or not clock.working:
            row.next_check_at = None  # a closed case, or a ticket no longer worked
            return
        row.next_check_at = cadence.next_check(row.next_update_due_at, clock.calendar, now)

    def announce(self, rows: list[VendorCase], recorded: list[Due], now: dt.datetime) -> None:
        cases = {row.pk: row for row in rows}
        ticket_ids = {cases[found.object_id].ticket_id for found in recorded}
        tickets = {
            t.pk: t
            for t in Ticket.objects.filter(pk__in=ticket_ids)
            .select_related("assignee")
            .only("number", "title", *(f"assignee__{f}" for f in notify.RECIPIENT_FIELDS))
        }
        names = dict(
            Vendor.objects.filter(pk__in={c.vendor_id for c in cases.values()}).values_list(
                "pk", "name"
            )
        )
        leads = _Leads()
        events: list[TicketEvent] = []
        notices: list[outbox.Outgoing] = []
        for found in recorded:
            case = cases[found.object_id]
            ticket = tickets[case.ticket_id]
            vendor = names.get(case.vendor_id, "")
            events.append(
                TicketEvent(
                    ticket_id=ticket.pk,
                    kind=ENTRY_OF[ReminderKind(found.kind)],
                    at=now,
                    data={"case": case.pk, "vendor": vendor, "due_at": found.due_at.isoformat()},
                    is_internal=True,
                )
            )
            notices += notify.reminder_rows(
                ticket,
                case_id=case.pk,
                vendor=vendor,
                kind=found.kind,
                due_at=found.due_at,
                recipients=notify.reminder_recipients(
                    ticket, found.kind, assignee=ticket.assignee, leads=leads.get()
                ),
                now=now,
            )
        TicketEvent.objects.bulk_create(events, batch_size=1000)
        outbox.save_and_dispatch(notices)


class _Leads:
    """The tech leads, read once per batch and only if someone needs them."""

    def __init__(self) -> None:
        self._found: Sequence[Any] | None = None

    def get(self) -> list[Any]:
        if self._found is None:
            self._found = list(tech_leads())
        return list(self._found)


def sweep_cadence(*, now: dt.datetime | None = None, batch_size: int | None = None) -> int:
    """Run the cadence sweep to the end now; how many reminders it recorded (tests, bench)."""
    return sweep(CaseCadence(), now=now, batch_size=batch_size).total
