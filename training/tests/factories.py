"""Plain factory functions for training: sessions and drills through the services, and a
resolved ticket whose diagnosis, solution and internal note are recognisable secrets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from tickets import services as ticket_services
from tickets.choices import RootCauseType
from tickets.models import Ticket
from tickets.tests.factories import make_category, make_ticket
from training.models import Drill, TrainingSession
from training.services import drills as drill_services
from training.services import sessions as session_services

# What the engineer of a drill must never read before it is scored.
ROOT_CAUSE = "SECRET-ROOT-CAUSE fuser thermistor cracked"
SOLUTION = "SECRET-SOLUTION replaced the fuser assembly"
PLAN = "SECRET-PLAN order fuser RM2-5399"
SCOPE = "SECRET-SCOPE third floor only"
INTERNAL = "SECRET-INTERNAL-NOTE warranty claim 4711"
SYMPTOM = "Every page comes out with a grey smear on the left."


def resolved_ticket(requester: User, engineer: User, **overrides: Any) -> Ticket:
    """A printer ticket resolved by ``engineer``: the requester's photo, an internal note
    with a file, and the secrets above as its diagnosis and solution."""
    fields: dict[str, Any] = {
        "title": "Printer smears grey",
        "description": SYMPTOM,
        "category": make_category("hardware-printer"),
        "affected_system": "HP LaserJet M404dn",
        "scenario": "Printing the weekly report",
        **overrides,
    }
    ticket = make_ticket(requester=requester, **fields)
    ticket_services.add_attachments(
        ticket.pk, actor=requester, files=[SimpleUploadedFile("smear.png", b"\x89PNG smear")]
    )
    ticket_services.accept_ticket(ticket.pk, actor=engineer)
    ticket_services.add_message(
        ticket.pk,
        actor=engineer,
        body=INTERNAL,
        internal=True,
        files=[SimpleUploadedFile("warranty.txt", b"claim 4711")],
    )
    ticket_services.diagnose_ticket(
        ticket.pk,
        actor=engineer,
        root_cause_type=RootCauseType.HARDWARE,
        root_cause=ROOT_CAUSE,
        impact_scope=SCOPE,
        solution_plan=PLAN,
    )
    return ticket_services.resolve_ticket(ticket.pk, actor=engineer, solution=SOLUTION)


def make_drill(lead: User, engineer: User, ticket: Ticket, **overrides: Any) -> Drill:
    return drill_services.create_drill(
        actor=lead, ticket=ticket.number, engineer=engineer, **overrides
    )


def make_session(
    lead: User, attendees: list[User], *, starts_at: dt.datetime | None = None, **overrides: Any
) -> TrainingSession:
    fields: dict[str, Any] = {
        "title": "Deploying the new OS",
        "kind": "technical",
        "starts_at": starts_at or timezone.now() + dt.timedelta(days=3),
        "trainer": lead,
        "attendees": attendees,
        **overrides,
    }
    return session_services.create_session(actor=lead, **fields)
