"""Linking user tickets about the same outage to a major incident: up to 1,000 in one action.

Only tickets the actor may see (``tickets.selectors.tickets_visible_to``, so a person
limited to some sites links only theirs) and that are open; anything else is a 400 on
``tickets`` naming the numbers. Tickets already linked are skipped. Each newly linked
ticket gets a public timeline entry (``incident_linked``); each requester of a newly
linked ticket is told once per incident however many of their tickets are linked.

Ticket rows are not locked: a link is a row of its own, and the incident row (locked by
the caller) serialises two people linking to the same incident at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from incidents import notify
from incidents.choices import IncidentEntry
from incidents.models import IncidentTicket, MajorIncident
from servicedesk.lib import sql
from tickets.choices import OPEN_STATES
from tickets.models import Ticket, TicketEvent
from tickets.selectors import tickets_visible_to

MAX_LINKED_AT_ONCE = 1_000
NUMBER_MAX = 32  # Ticket.number's max_length
SHOWN = 10  # numbers named in an error, then "and N more"


def _named(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:SHOWN])
    rest = len(numbers) - SHOWN
    if rest > 0:
        shown += " " + ngettext("and %(n)d more", "and %(n)d more", rest) % {"n": rest}
    return shown


def clean_numbers(values: Any) -> list[str]:
    """The ticket numbers asked for, trimmed and without repeats (order kept); a 400 on
    ``tickets`` for anything that is not a list of 1 to 1,000 numbers."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValidationError({"tickets": _("Give a list of ticket numbers.")})
    found: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str):
            raise ValidationError({"tickets": _("Give a list of ticket numbers.")})
        number = value.strip()
        if not number or len(number) > NUMBER_MAX or "\x00" in number:
            raise ValidationError(
                {
                    "tickets": _("“%(value)s” is not a ticket number.")
                    % {"value": number[:NUMBER_MAX]}
                }
            )
        found[number] = None
    if not found:
        raise ValidationError({"tickets": _("Give at least one ticket number.")})
    if len(found) > MAX_LINKED_AT_ONCE:
        raise ValidationError(
            {
                "tickets": _("At most %(max)d tickets at once (this has %(n)d).")
                % {"max": MAX_LINKED_AT_ONCE, "n": len(found)}
            }
        )
    return list(found)


def link(
    incident: MajorIncident, *, actor: User, numbers: list[str], now: dt.datetime
) -> list[str]:
    """Link the tickets (numbers already cleaned) to the locked ``incident``; the numbers
    newly linked, in the order given."""
    rows = {
        number: (pk, state, requester_id)
        for pk, number, state, requester_id in tickets_visible_to(actor)
        .filter(number__in=numbers)
        .values_list("pk", "number", "state", "requester_id")
    }
    unknown = [n for n in numbers if n not in rows]
    if unknown:
        raise ValidationError(
            {
                "tickets": _("No such ticket (or not yours to see): %(numbers)s.")
                % {"numbers": _named(unknown)}
            }
        )
    finished = [n for n in numbers if rows[n][1] not in OPEN_STATES]
    if finished:
        raise ValidationError(
            {
                "tickets": _("Only open tickets are linked; these are finished: %(numbers)s.")
                % {"numbers": _named(finished)}
            }
        )
    wanted = [rows[n][0] for n in numbers]
    fresh = _insert_links(incident, wanted, actor=actor, now=now)
    new = [n for n in numbers if rows[n][0] in fresh]
    if not new:
        return []
    _insert_entries(incident, [rows[n][0] for n in new], actor=actor, now=now)
    tickets_of: dict[int, list[str]] = defaultdict(list)
    for n in new:
        tickets_of[rows[n][2]].append(n)
    # What the outbox reads of a person: a thousand full rows cost more than every write here.
    requesters = list(
        User.objects.filter(pk__in=tickets_of.keys())
        .only("pk", "is_active", "email")
        .order_by("pk")
    )
    notify.requesters_told(incident, requesters=requesters, tickets_of=tickets_of, now=now)
    return new


def _insert_links(
    incident: MajorIncident, ticket_ids: list[int], *, actor: User, now: dt.datetime
) -> set[int]:
    """Link rows for the tickets not linked yet; the ticket ids really inserted. One
    ``INSERT … SELECT FROM unnest … ON CONFLICT DO NOTHING RETURNING``: Django's
    ``bulk_create`` binds every value of a thousand rows one by one and cannot say which
    rows were new (that cost a query more)."""
    meta = IncidentTicket._meta
    incident_col, ticket_col, by_col, at_col = (
        sql.column(meta.get_field(name))
        for name in ("incident", "ticket", "linked_by", "linked_at")
    )
    with connection.cursor() as cursor:
        # Only names from the model's metadata are interpolated; values are parameters.
        cursor.execute(
            f"INSERT INTO {sql.table(IncidentTicket)} "  # noqa: S608
            f"({incident_col}, {ticket_col}, {by_col}, {at_col}) "
            "SELECT %s, t, %s, %s FROM unnest(%s::bigint[]) AS t "
            f"ON CONFLICT DO NOTHING RETURNING {ticket_col}",
            [incident.pk, actor.pk, now, ticket_ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _insert_entries(
    incident: MajorIncident, ticket_ids: list[int], *, actor: User, now: dt.datetime
) -> None:
    """One public ``incident_linked`` timeline entry per newly linked ticket, in one
    statement (the same entry for every ticket but its ticket id)."""
    meta = TicketEvent._meta
    columns = ", ".join(
        sql.column(meta.get_field(name))
        for name in (
            "ticket",
            "kind",
            "actor",
            "at",
            "from_state",
            "to_state",
            "data",
            "is_internal",
        )
    )
    data = json.dumps({"incident": incident.number, "title": incident.title})
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {sql.table(TicketEvent)} ({columns}) "  # noqa: S608
            "SELECT t, %s, %s, %s, '', '', %s::jsonb, false FROM unnest(%s::bigint[]) AS t",
            [IncidentEntry.LINKED.value, actor.pk, now, data, ticket_ids],
        )


def linked_numbers(incident: MajorIncident) -> dict[int, list[str]]:
    """Requester id -> numbers of the incident's linked tickets (told of the restoration)."""
    found: dict[int, list[str]] = defaultdict(list)
    for requester_id, number in (
        Ticket.objects.filter(incident_links__incident=incident)
        .order_by("number")
        .values_list("requester_id", "number")
    ):
        found[requester_id].append(number)
    return found
