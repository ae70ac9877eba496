"""Drills: a practical assessment built from a resolved ticket (R8.1 "simulated diagnosis
of a complex fault").

* ``create_drill`` (tech leads): from a resolved, verified or closed ticket with a solution
  (not cancelled, not a duplicate), for an engineer who did not handle it. The symptom is
  copied (the lead may reword it, so the ticket is not found by its words); the files given
  to the engineer are the ticket's public ones the lead picks (by default those the
  requester sent). The engineer is told, without the ticket being named.
* ``start_drill`` (its engineer): the clock starts (``started_at``, ``deadline_at``).
* ``answer_drill`` (its engineer, once): a diagnosis and a plan; after the deadline the
  answer is kept and marked late (``is_late``) — the lead who scores sees by how much.
* ``score_drill`` (a tech lead, not the drill's engineer, once): 0–100 and notes, saved as
  an assessment of kind ``drill``; the engineer is told and may now read the answer key.
* ``withdraw_drill`` (a tech lead, not the drill's engineer): a drill not answered yet is
  taken back (the wrong ticket, the engineer away); the engineer is told, can no longer
  start or answer it, and never reads its answer key (the ticket may make a drill for them
  again). Kept, as withdrawn, not deleted.

Times are ``timezone.now()``; each service locks the drill row first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets import selectors as ticket_selectors
from tickets.choices import ClosedAs, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Attachment, Ticket
from tickets.services import base
from training import notify, permissions, selectors
from training.choices import OPEN_DRILL, AssessmentKind, DrillStatus
from training.errors import DrillNotFound
from training.models import Assessment, Drill
from training.services.assessments import new_assessment
from training.services.checks import number, person

# A ticket is a drill once its fix is known.
DRILL_STATES = frozenset({TicketState.RESOLVED, TicketState.VERIFIED, TicketState.CLOSED})
TIME_LIMIT = (5, 8 * 60)  # minutes
MAX_FILES = 20


def drillable(ticket: Ticket) -> bool:
    """Resolved, verified or closed with a solution; never cancelled or a duplicate."""
    return (
        ticket.state in DRILL_STATES
        and ticket.closed_as not in (ClosedAs.CANCELLED, ClosedAs.DUPLICATE)
        and bool(ticket.solution.strip())
    )


def default_scenario(ticket: Ticket) -> str:
    """The ticket's circumstances, as the requester gave them (no diagnosis)."""
    lines = []
    if ticket.affected_system:
        lines.append(_("Device or system: %(value)s") % {"value": ticket.affected_system})
    if ticket.scenario:
        lines.append(_("While doing: %(value)s") % {"value": ticket.scenario})
    return "\n".join(lines)


def offered_files(ticket: Ticket) -> list[Attachment]:
    """The files a drill may show: the ticket's public ones (never an internal note's)."""
    return list(
        Attachment.objects.filter(ticket=ticket, is_internal=False)
        .only("pk", "original_name", "size", "uploaded_by_id", "ticket_id", "created_at")
        .order_by("created_at", "pk")
    )


def default_files(ticket: Ticket) -> list[int]:
    """What the requester sent: the symptom's evidence, not the desk's later files."""
    return [a.pk for a in offered_files(ticket) if a.uploaded_by_id == ticket.requester_id]


def drill_ticket(actor: User, ticket_number: Any) -> Ticket:
    """The ticket numbered ``ticket_number`` that ``actor`` may see and that can become a drill;
    otherwise a 400 on ``ticket`` (the lead typed a number: a field of the form)."""
    try:
        ticket = ticket_selectors.get_ticket_for(actor, str(ticket_number or "").strip())
    except TicketNotFound:
        raise ValidationError({"ticket": _("No such ticket.")}) from None
    if not drillable(ticket):
        raise ValidationError(
            {"ticket": _("Only a resolved ticket with its solution makes a drill.")}
        )
    return ticket


def _files(ticket: Ticket, given: Iterable[Any] | None) -> list[int]:
    if given is None:
        return default_files(ticket)
    try:
        wanted = list(dict.fromkeys(int(pk) for pk in given))
    except (TypeError, ValueError):
        raise ValidationError({"attachments": _("Give file numbers.")}) from None
    if len(wanted) > MAX_FILES:
        raise ValidationError({"attachments": _("At most %(n)d files.") % {"n": MAX_FILES}})
    offered = {a.pk for a in offered_files(ticket)}
    if not set(wanted) <= offered:
        raise ValidationError({"attachments": _("Only the ticket's public files.")})
    return wanted


@transaction.atomic
def create_drill(
    *,
    actor: User,
    ticket: Any,
    engineer: User | str | None,
    time_limit_minutes: Any = 30,
    title: str | None = None,
    symptom: str | None = None,
    scenario: str | None = None,
    attachments: Iterable[Any] | None = None,
) -> Drill:
    """A drill of the ticket numbered ``ticket`` for ``engineer``; the texts left empty are
    copied from the ticket."""
    if not permissions.can_manage(actor):
        raise ActionForbidden(_("Only tech leads build drills."))
    found = drill_ticket(actor, ticket)
    who = person("engineer", engineer, selectors.attendee_choices())
    if who.pk == actor.pk:
        raise ValidationError({"engineer": _("Choose someone else: you know the answer.")})
    if who.pk == found.assignee_id:
        raise ValidationError(
            {
                "engineer": _("%(name)s handled this ticket: choose someone who did not.")
                % {"name": who.name}
            }
        )
    limit = number("time_limit_minutes", time_limit_minutes, low=TIME_LIMIT[0], high=TIME_LIMIT[1])
    files = _files(found, attachments)
    now = timezone.now()
    drill = Drill.objects.create(
        ticket=found,
        engineer=who,
        title=base.text("title", title or found.title, model=Drill, single_line=True),
        symptom=base.text("symptom", symptom or found.description, model=Drill),
        scenario=base.text(
            "scenario",
            default_scenario(found) if scenario is None else scenario,
            model=Drill,
            required=False,
        ),
        time_limit_minutes=limit,
        created_by=actor,
        created_at=now,
    )
    drill.attachments.set(files)
    notify.drill_assigned(drill, now=now)
    return drill


def _lock(drill_id: int, actor: User) -> Drill:
    drill = (
        selectors.drills_visible_to(actor)
        .select_for_update(no_key=True)
        .filter(pk=drill_id)
        .first()
    )
    if drill is None:
        raise DrillNotFound
    return drill


def _engineer_only(drill: Drill, actor: User) -> None:
    if not permissions.is_drills_engineer(drill, actor):
        raise ActionForbidden(_("Only the engineer the drill is for takes it."))


def _not_withdrawn(drill: Drill) -> None:
    if drill.status == DrillStatus.WITHDRAWN:
        raise InvalidTransition(_("This drill was withdrawn."))


@transaction.atomic
def start_drill(drill_id: int, *, actor: User) -> Drill:
    """The engineer opens the drill: the symptom shows and the time limit runs from now."""
    drill = _lock(drill_id, actor)
    _engineer_only(drill, actor)
    _not_withdrawn(drill)
    if drill.status != DrillStatus.ASSIGNED:
        raise InvalidTransition(_("This drill has started already."))
    now = timezone.now()
    drill.started_at = now
    drill.deadline_at = now + dt.timedelta(minutes=drill.time_limit_minutes)
    drill.status = DrillStatus.STARTED
    drill.save(update_fields=["started_at", "deadline_at", "status"])
    return drill


@transaction.atomic
def answer_drill(drill_id: int, *, actor: User, diagnosis: Any, plan: Any) -> Drill:
    """The engineer's diagnosis and plan, once; after the deadline it is marked late."""
    drill = _lock(drill_id, actor)
    _engineer_only(drill, actor)
    _not_withdrawn(drill)
    if drill.status == DrillStatus.ASSIGNED:
        raise InvalidTransition(_("Start the drill first: the time limit runs from then."))
    if drill.status != DrillStatus.STARTED:
        raise InvalidTransition(_("This drill is answered already."))
    drill.diagnosis = base.text("diagnosis", diagnosis, model=Drill)
    drill.plan = base.text("plan", plan, model=Drill)
    now = timezone.now()
    drill.answered_at = now
    drill.is_late = drill.deadline_at is not None and now > drill.deadline_at
    drill.status = DrillStatus.ANSWERED
    drill.save(update_fields=["diagnosis", "plan", "answered_at", "is_late", "status"])
    return drill


@transaction.atomic
def score_drill(drill_id: int, *, actor: User, score: Any, notes: Any = "") -> Drill:
    """A tech lead's score (0–100) and notes on an answered drill, once: an assessment of
    kind ``drill``."""
    drill = _lock(drill_id, actor)
    if not permissions.can_score(drill, actor):
        raise ActionForbidden(_("Only a tech lead scores a drill, never their own."))
    _not_withdrawn(drill)
    if drill.status != DrillStatus.ANSWERED:
        raise InvalidTransition(
            _("This drill is scored already.")
            if drill.status == DrillStatus.SCORED
            else _("This drill is not answered yet.")
        )
    drill.assessment = new_assessment(
        actor=actor,
        engineer=drill.engineer,
        kind=AssessmentKind.DRILL,
        score=number("score", score, low=0, high=100),
        notes=base.text("notes", notes, model=Assessment, required=False),
        session=None,
    )
    drill.status = DrillStatus.SCORED
    drill.save(update_fields=["assessment", "status"])
    notify.drill_scored(drill, now=drill.assessment.assessed_at)
    return drill


@transaction.atomic
def withdraw_drill(drill_id: int, *, actor: User) -> Drill:
    """A tech lead (not the drill's engineer) takes back a drill not answered yet, started
    or not; its engineer is told."""
    drill = _lock(drill_id, actor)
    if not permissions.can_withdraw(drill, actor):
        raise ActionForbidden(_("Only a tech lead withdraws a drill, never their own."))
    _not_withdrawn(drill)
    if drill.status not in OPEN_DRILL:
        raise InvalidTransition(_("This drill is answered already: score it instead."))
    now = timezone.now()
    drill.status, drill.withdrawn_at, drill.withdrawn_by = DrillStatus.WITHDRAWN, now, actor
    drill.save(update_fields=["status", "withdrawn_at", "withdrawn_by"])
    notify.drill_withdrawn(drill, now=now)
    return drill
