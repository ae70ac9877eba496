"""``manage.py backfill_report_minutes``: the working minutes of tickets accepted or resolved
before ``tickets.0019`` (``Ticket.response_minutes`` / ``resolution_minutes``).

New acceptances and resolutions fill them as they happen (``tickets.clocks``); this fills
the older ones, in batches of short transactions (it can run while people work, and again:
it only touches rows still missing a value). Response: submission → acceptance on the
response calendar of the ticket's priority. Resolution: submission → the last resolution on
the resolution calendar, minus the holds before it, read from the timeline (each
``sla_paused`` until its ``sla_resumed``, or until the resolution; a pause still open when
the ticket was verified ended there, as ``clocks.finish`` does).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Q

from servicedesk.lib.sql import execute_arrays
from sla import rules
from sla.calendars import calendar_for_site, policy_for
from tickets import clocks
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent

HOLD_KINDS = (EventKind.SLA_PAUSED, EventKind.SLA_RESUMED, EventKind.VERIFIED)
MISSING = Q(accepted_at__isnull=False, response_minutes__isnull=True) | Q(
    resolved_at__isnull=False, resolution_minutes__isnull=True
)


def _holds(events: list[tuple[str, dt.datetime]], until: dt.datetime) -> list[tuple[Any, Any]]:
    """The pauses before ``until`` (a pause still open at ``until`` ends there)."""
    found: list[tuple[dt.datetime, dt.datetime]] = []
    started: dt.datetime | None = None
    for kind, at in events:
        if at >= until:
            break
        if kind == EventKind.SLA_PAUSED and started is None:
            started = at
        elif kind == EventKind.SLA_RESUMED and started is not None:
            found.append((started, at))
            started = None
        elif kind == EventKind.VERIFIED:
            started = None  # the clock stopped; that pause moved nothing
    if started is not None:
        found.append((started, until))
    return found


def fill_batch(after_id: int, size: int) -> tuple[int, int]:
    """Fill one batch of tickets with an id above ``after_id``; (how many, the last id)."""
    with transaction.atomic():
        tickets = list(
            Ticket.objects.filter(MISSING, pk__gt=after_id)
            .order_by("pk")
            .only("pk", "priority", "site_id", "submitted_at", "accepted_at", "resolved_at")[:size]
        )
        if not tickets:
            return 0, after_id
        events: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
        for ticket_id, kind, at in (
            TicketEvent.objects.filter(ticket__in=[t.pk for t in tickets], kind__in=HOLD_KINDS)
            .order_by("ticket_id", "at", "pk")
            .values_list("ticket_id", "kind", "at")
        ):
            events[ticket_id].append((kind, at))
        ids: list[int] = []
        responses: list[int | None] = []
        resolutions: list[int | None] = []
        for ticket in tickets:
            ids.append(ticket.pk)
            accepted, resolved = ticket.accepted_at, ticket.resolved_at
            responses.append(clocks.response_minutes(ticket, accepted) if accepted else None)
            if resolved is None:
                resolutions.append(None)
                continue
            policy, calendar = policy_for(ticket.priority), calendar_for_site(ticket.site_id)
            held = sum(
                rules.held_between(start, end, policy, calendar)
                for start, end in _holds(events[ticket.pk], resolved)
            )
            resolutions.append(clocks.resolution_minutes(ticket, resolved, held))
        execute_arrays(
            """
            UPDATE tickets_ticket t
            SET response_minutes = coalesce(t.response_minutes, v.response),
                resolution_minutes = coalesce(t.resolution_minutes, v.resolution)
            FROM unnest(%b::bigint[], %b::integer[], %b::integer[]) AS v(id, response, resolution)
            WHERE t.id = v.id
            """,
            [ids, responses, resolutions],
        )
        return len(tickets), ids[-1]


class Command(BaseCommand):
    help = "Fill the working minutes (response, resolution) of tickets that have none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        done, last, batches = 0, 0, 0
        while True:
            count, last = fill_batch(last, options["batch_size"])
            if not count:
                break
            done += count
            batches += 1
            if batches % 20 == 0:
                rate = done / max(time.monotonic() - started, 0.001)
                self.stdout.write(f"{done} tickets (up to id {last}), {rate:.0f}/s")
        took = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Working minutes written for {done} tickets in {took:.1f} s.")
        )
