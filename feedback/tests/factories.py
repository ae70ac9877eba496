"""Plain factory functions for survey tests: tickets move through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import time_machine

from accounts.models import User
from feedback import services
from feedback.models import Survey
from notifications.models import Notification
from tickets import services as ticket_services
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import DIAGNOSIS, make_ticket

T = TypeVar("T")

GOOD = {"speed": 5, "quality": 4, "attitude": 5, "comment": "Fast and friendly"}
POOR = {"speed": 2, "quality": 4, "attitude": 3, "comment": "Waited two days for a reply"}


def at(moment: dt.datetime, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``action`` with the clock stopped at ``moment``."""
    with time_machine.travel(moment, tick=False):
        return action(*args, **kwargs)


def resolved_ticket(requester: User, engineer: User, resolved_at: dt.datetime) -> Ticket:
    """A ticket filed, accepted and diagnosed an hour before ``resolved_at``, then resolved."""
    start = resolved_at - dt.timedelta(hours=1)
    ticket = at(start, make_ticket, requester=requester)
    at(start + dt.timedelta(minutes=5), ticket_services.accept_ticket, ticket.pk, actor=engineer)
    diagnose = ticket_services.diagnose_ticket
    at(start + dt.timedelta(minutes=10), diagnose, ticket.pk, actor=engineer, **DIAGNOSIS)
    at(resolved_at, ticket_services.resolve_ticket, ticket.pk, actor=engineer, solution="Fuser")
    return Ticket.objects.get(pk=ticket.pk)


def verified_ticket(requester: User, engineer: User, verified_at: dt.datetime) -> Ticket:
    """A ticket its requester verified at ``verified_at`` (fixed half an hour before)."""
    ticket = resolved_ticket(requester, engineer, verified_at - dt.timedelta(minutes=30))
    at(verified_at, ticket_services.verify_ticket, ticket.pk, actor=requester)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.state == TicketState.VERIFIED
    return fresh


def answer(ticket: Ticket, actor: User, when: dt.datetime, **fields: Any) -> tuple[Survey, bool]:
    """``actor`` answers (or changes) the survey of ``ticket`` at ``when``."""
    return at(when, services.answer_survey, ticket.pk, actor=actor, **{**GOOD, **fields})


def told(kind: str) -> list[tuple[str, str]]:
    """(recipient, channel) of every notification of ``kind``, in order."""
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("pk")
        .values_list("recipient__username", "channel")
    )
