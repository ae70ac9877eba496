"""Plain factory functions for tickets. States are reached through services, never by fields."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from tickets import services
from tickets.choices import Impact, RootCauseType, TicketState, Urgency
from tickets.models import Category, Ticket

# The order a ticket normally goes through (cancel is a side exit).
HAPPY_PATH = [
    TicketState.SUBMITTED,
    TicketState.ACCEPTED,
    TicketState.DIAGNOSED,
    TicketState.RESOLVED,
    TicketState.VERIFIED,
    TicketState.CLOSED,
]

DIAGNOSIS = {
    "root_cause_type": RootCauseType.HARDWARE,
    "root_cause": "Fuser unit worn out",
    "impact_scope": "Only the 3rd floor printer",
    "solution_plan": "Replace the fuser unit",
}


def make_category(
    slug: str = "hardware-pc",
    *,
    is_security: bool = False,
    parent: Category | None = None,
    **overrides: Any,
) -> Category:
    """A category by slug; created if missing (transactional tests flush the seeded ones)."""
    category, _created = Category.objects.get_or_create(
        slug=slug,
        defaults={
            "name": slug,
            "name_en": slug.replace("-", " ").title(),
            "is_security": is_security,
            "parent": parent,
            **overrides,
        },
    )
    return category


def make_ticket(*, requester: User, actor: User | None = None, **overrides: Any) -> Ticket:
    """A submitted ticket, filed through ``services.submit_ticket``."""
    fields: dict[str, Any] = {
        "title": "Printer prints blank pages",
        "description": "Since this morning every page comes out blank.",
        "category": make_category(),
        "impact": Impact.SINGLE,
        "urgency": Urgency.ABNORMAL,
        **overrides,
    }
    actor = actor or requester
    if actor.pk != requester.pk:
        fields["requester"] = requester
    return services.submit_ticket(actor=actor, **fields)


def move_to(ticket: Ticket, state: str, *, engineer: User) -> Ticket:
    """Walk ``ticket`` along the happy path to ``state``, through services, and reload it."""
    requester = ticket.requester
    steps = {
        TicketState.ACCEPTED: lambda: services.accept_ticket(ticket.pk, actor=engineer),
        TicketState.DIAGNOSED: lambda: services.diagnose_ticket(
            ticket.pk, actor=engineer, **DIAGNOSIS
        ),
        TicketState.RESOLVED: lambda: services.resolve_ticket(
            ticket.pk, actor=engineer, solution="Replaced the fuser unit"
        ),
        TicketState.VERIFIED: lambda: services.verify_ticket(
            ticket.pk, actor=requester, verification_note="Prints fine again"
        ),
        TicketState.CLOSED: lambda: services.close_ticket(ticket.pk, actor=engineer),
    }
    current = HAPPY_PATH.index(Ticket.objects.get(pk=ticket.pk).state)
    for target in HAPPY_PATH[current + 1 : HAPPY_PATH.index(state) + 1]:
        steps[target]()
    return Ticket.objects.get(pk=ticket.pk)


def make_ticket_in(state: str, *, requester: User, engineer: User, **overrides: Any) -> Ticket:
    return move_to(make_ticket(requester=requester, **overrides), state, engineer=engineer)


def is_clock_event(kind: str) -> bool:
    """SLA clock entries (started, paused, resumed …) that the SLA engine adds beside the story."""
    return kind.startswith("sla_")


def story(kinds: list[str]) -> list[str]:
    """The timeline without the SLA clock entries: what people did, in order."""
    return [kind for kind in kinds if not is_clock_event(kind)]


def snapshot(ticket: Ticket) -> dict[str, Any]:
    """Everything a refused request must leave untouched: every column, and what hangs off it."""
    fresh = Ticket.objects.get(pk=ticket.pk)
    columns = {f.attname: getattr(fresh, f.attname) for f in Ticket._meta.concrete_fields}
    return {
        **columns,
        "events": fresh.events.count(),
        "messages": fresh.messages.count(),
        "attachments": fresh.attachments.count(),
    }
