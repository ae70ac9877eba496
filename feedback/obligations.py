"""The survey's time-out, declared on ``sla``'s timed-obligation mechanism.

Rows: surveys with ``close_at`` set (partial index ``feedback_survey_close_at_due``): a
survey still waiting for its first answer on a verified ticket, due at the end of the
``FEEDBACK_SURVEY_CLOSE_DAYS``-th working day after the verification on the ticket's site
calendar (``feedback.rules.close_at``). Due: ``close_unanswered`` once that moment has
passed and the ticket is still verified and the survey unanswered; recorded in
``SurveyTimeout`` under ``close_at``, unique per survey, kind and due time, so the ticket
closes once however many sweeps run. Announce: the ticket is closed as completed by the
system, with a public ``survey_closed_unanswered`` timeline entry (verified → closed).

Locks. The sweep claims survey rows (``SKIP LOCKED``); closing needs the ticket's row,
which services lock first (then the survey). The sweep therefore never waits for a ticket:
each claimed survey's ticket is locked with ``SKIP LOCKED`` as ``due`` looks at it, and a
ticket a service holds right now (its requester answering, an engineer closing it) is
looked at again a minute later — by then the service has answered, closed or reopened it,
and the survey is cleared or due again. One lock and one update per ticket: the time-outs
of a day are a few hundred rows at most.
"""

from __future__ import annotations

import datetime as dt
import threading

from feedback import rules, services
from feedback.choices import SurveyEntry, TimeoutKind
from feedback.models import Survey, SurveyTimeout
from sla.obligations import Due, Obligation, sweep
from tickets.choices import TicketState
from tickets.models import Ticket, TicketEvent

# A ticket a service holds is looked at again this much later.
BUSY_RETRY = dt.timedelta(minutes=1)


def _lock_ticket(ticket_id: int) -> Ticket | None:
    """The ticket row, locked for this sweep's transaction; ``None`` if a service holds it."""
    return (
        Ticket.objects.select_for_update(skip_locked=True, no_key=True)
        # The search vectors are written by tickets.search alone (as base.lock defers them).
        .defer("search_document", "search_notes")
        .filter(pk=ticket_id)
        .first()
    )


class SurveyClose(Obligation[Survey]):
    name = "feedback.survey_close"
    model = Survey
    next_check_field = "close_at"
    event_model = SurveyTimeout
    event_object_field = "survey"
    fields = ("ticket_id", "answered_at")
    progress_fields = ("close_at",)
    batch_size = 100

    def __init__(self) -> None:
        # The registered declaration is shared by every sweep of the process: each thread
        # keeps the tickets it locked (``due``), then the ones to close (``advance``), by
        # survey id, until ``announce``.
        self._local = threading.local()

    def _held(self) -> dict[int, Ticket | None]:
        if not hasattr(self._local, "held"):
            self._local.held, self._local.closing = {}, {}
        held: dict[int, Ticket | None] = self._local.held
        return held

    def _closing(self) -> dict[int, Ticket]:
        self._held()
        closing: dict[int, Ticket] = self._local.closing
        return closing

    def due(self, row: Survey, now: dt.datetime) -> list[Due]:
        if row.answered_at is not None or row.close_at is None:
            self._held()[row.pk] = None
            return []
        ticket = _lock_ticket(row.ticket_id)
        self._held()[row.pk] = ticket
        if ticket is None or ticket.state != TicketState.VERIFIED:
            return []
        return [Due(row.pk, TimeoutKind.CLOSE_UNANSWERED, row.close_at)]

    def advance(self, row: Survey, due: list[Due], now: dt.datetime) -> None:
        ticket = self._held().pop(row.pk, None)
        closing = self._closing()
        closing.pop(row.pk, None)
        if due and ticket is not None:
            closing[row.pk] = ticket
            row.close_at = None
        elif ticket is None and row.answered_at is None and row.close_at is not None:
            row.close_at = now + BUSY_RETRY  # a service holds the ticket: look again soon
        else:
            row.close_at = None  # answered, or the ticket was closed or reopened meanwhile

    def announce(self, rows: list[Survey], recorded: list[Due], now: dt.datetime) -> None:
        closing = self._closing()
        events = []
        for found in recorded:
            ticket = closing.pop(found.object_id)
            from_state = services.close_quietly(ticket, now=now)
            events.append(
                TicketEvent(
                    ticket_id=ticket.pk,
                    kind=SurveyEntry.CLOSED_UNANSWERED,
                    at=now,
                    from_state=from_state,
                    to_state=ticket.state,
                    data={"days": rules.close_days(), "due_at": found.due_at.isoformat()},
                )
            )
        TicketEvent.objects.bulk_create(events)
        closing.clear()


def sweep_surveys(*, now: dt.datetime | None = None, batch_size: int | None = None) -> int:
    """Run the time-out sweep to the end now; how many tickets it closed (tests, bench)."""
    return sweep(SurveyClose(), now=now, batch_size=batch_size).total
