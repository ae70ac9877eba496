"""Bulk actions from the queue: one service call per ticket, each its own transaction.

Per-ticket atomicity: a ticket's change, its timeline entry and its notifications commit
together (inside ``assign_ticket`` / ``change_priority``), and a ticket that refuses —
not visible, not permitted, not in a state that allows it, or bad input for it — changes
nothing of its own and nothing of the others, which are still done. The result names every
refused ticket by number with the reason, for the person who asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import selectors
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.services.edits import assign_ticket, change_priority

# One request does at most this many tickets (a queue page is 50 by default).
MAX_BULK_TICKETS = 100


@dataclass
class BulkResult:
    """What a bulk action did: the numbers changed, and the numbers refused with why."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _each(numbers: Sequence[str], actor: User, change: Callable[[int], object]) -> BulkResult:
    """Run ``change(ticket_id)`` for every ticket the actor may see, in the given order."""
    wanted = list(dict.fromkeys(numbers))
    if len(wanted) > MAX_BULK_TICKETS:
        raise ValidationError(
            {"tickets": _("Select at most %(max)d tickets at a time.") % {"max": MAX_BULK_TICKETS}}
        )
    ids = dict(
        selectors.tickets_visible_to(actor).filter(number__in=wanted).values_list("number", "pk")
    )
    result = BulkResult()
    for number in wanted:
        if number not in ids:
            result.refused.append((number, _("No such ticket.")))
            continue
        try:
            change(ids[number])
        except TicketNotFound:
            result.refused.append((number, _("No such ticket.")))
        except (ActionForbidden, InvalidTransition) as exc:
            result.refused.append((number, str(exc)))
        except ValidationError as exc:
            result.refused.append((number, " ".join(exc.messages)))
        else:
            result.done.append(number)
    return result


def bulk_assign(numbers: Sequence[str], *, actor: User, assignee: User, reason: str) -> BulkResult:
    """Assign each ticket to ``assignee`` through ``assign_ticket`` (one event and one
    notice to the assignee per ticket)."""
    return _each(
        numbers,
        actor,
        lambda pk: assign_ticket(pk, actor=actor, assignee=assignee, reason=reason),
    )


def bulk_change_priority(
    numbers: Sequence[str], *, actor: User, priority: str, reason: str
) -> BulkResult:
    """Give each ticket ``priority`` through ``change_priority`` (the re-triage rule of its
    policy applies per ticket), with the one reason for all."""
    return _each(
        numbers,
        actor,
        lambda pk: change_priority(pk, actor=actor, priority=priority, reason=reason),
    )
