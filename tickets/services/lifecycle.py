"""The lifecycle transitions: accept, diagnose, resolve, verify, reject the fix, close, cancel.

Each is a straight line: atomic → lock (404 if not visible) → ``actions.check``
(403 if this user may never, 409 if not now; the FSM declarations decide) →
validate the input (400) → run the FSM transition → move the SLA clocks →
save → timeline event(s) → notify. A second writer racing for the same ticket
waits for the lock, then sees the new state and gets a 409; it never doubles
an event.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import capabilities
from notifications import outbox
from tickets import actions, clocks, hooks, notify, permissions, search
from tickets.actions import Action
from tickets.choices import EventKind, RootCauseType, TicketNotice
from tickets.errors import ActionForbidden
from tickets.limits import TEXT_MAX
from tickets.models import Ticket
from tickets.services import base
from tickets.verification import last_day_to_answer


def accept_ticket(ticket_id: int, *, actor: User, assignee: User | None = None) -> Ticket:
    """Take a submitted ticket; the assignee is the actor unless a tech lead names someone.
    Acceptance is the first response: the response clock stops, met or late."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.ACCEPT)
        person = assignee or actor
        if person.pk != actor.pk:
            if not permissions.can_assign(ticket, actor):
                raise ActionForbidden(_("Only a tech lead can accept on someone else's behalf."))
            if not capabilities(person).work_queue or not person.is_active:
                raise ValidationError({"assignee": _("This person does not work the queue.")})
            if not permissions.serves_site(person, ticket.site_id):  # R7.2
                raise ValidationError({"assignee": _("This engineer works only for other sites.")})
        from_state = ticket.state
        ticket.accept(assignee=person, now=now)
        ticket.last_activity_at = now
        response = clocks.stop_response(ticket, now)
        ticket.save()
        event = base.record_transition(
            ticket,
            EventKind.ACCEPTED,
            actor=actor,
            now=now,
            from_state=from_state,
            data={"assignee": person.name, **response},
        )
        notify.tell_requester(TicketNotice.ACCEPTED, ticket, event)
    return ticket


def diagnose_ticket(
    ticket_id: int,
    *,
    actor: User,
    root_cause_type: str,
    root_cause: str = "",
    impact_scope: str,
    solution_plan: str,
) -> Ticket:
    """Record the diagnosis: root-cause type, impact scope and the plan (R3)."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.DIAGNOSE)
        found = {
            "root_cause_type": base.choice("root_cause_type", root_cause_type, RootCauseType),
            "root_cause": base.text("root_cause", root_cause, required=False),
            "impact_scope": base.text("impact_scope", impact_scope),
            "solution_plan": base.text("solution_plan", solution_plan),
        }
        from_state = ticket.state
        ticket.diagnose(now=now, **found)
        ticket.last_activity_at = now
        ticket.save()
        search.add_words(
            ticket.pk, ticket.root_cause, ticket.impact_scope, ticket.solution_plan, weight="C"
        )
        base.record_transition(
            ticket,
            EventKind.DIAGNOSED,
            actor=actor,
            now=now,
            from_state=from_state,
            # The text is kept on the event: a later diagnosis overwrites the ticket's fields,
            # but the timeline and the service report still show the first one.
            data={
                "root_cause_type": ticket.root_cause_type,
                "root_cause": ticket.root_cause,
                "impact_scope": ticket.impact_scope,
                "solution_plan": ticket.solution_plan,
            },
        )
    return ticket


def resolve_ticket(ticket_id: int, *, actor: User, solution: str) -> Ticket:
    """The fix is in: the resolution clock stops (late is recorded now) and pauses while the
    requester is asked to verify."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.RESOLVE)
        cleaned = base.text("solution", solution)
        refusal = hooks.resolve_refusal(ticket)  # e.g. a functional check that failed
        if refusal:
            raise ValidationError({"solution": refusal})
        from_state = ticket.state
        ticket.resolve(solution=cleaned, now=now)
        ticket.last_activity_at = now
        clocks.stop_resolution(ticket, now)
        paused = clocks.pause(ticket, now, "awaiting_verification")
        ticket.save()
        search.add_words(ticket.pk, ticket.solution, weight="C")
        event = base.record_transition(
            ticket,
            EventKind.RESOLVED,
            actor=actor,
            now=now,
            from_state=from_state,
            data={"solution": ticket.solution},
        )
        if paused:
            base.record(ticket, EventKind.SLA_PAUSED, actor=actor, now=now, data=paused)
        # The requester is told by when an unanswered fix counts as confirmed.
        last_day = last_day_to_answer(ticket)
        outbox.save_and_dispatch(
            notify.rows_about(
                ticket,
                recipients=[ticket.requester],
                kind=TicketNotice.RESOLVED,
                cause=f"event:{event.pk}",
                now=now,
                extra={"confirm_by_day": last_day.isoformat()} if last_day else None,
            )
        )
        notify.tell_watchers(TicketNotice.RESOLVED, ticket, event, besides=[ticket.requester])
        hooks.resolved.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return ticket


def verify_ticket(ticket_id: int, *, actor: User, verification_note: str = "") -> Ticket:
    """The requester confirms the fix; an engineer may record it for them, with a note."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.VERIFY)
        on_behalf = not permissions.is_requester_of(ticket, actor)
        note = base.text("verification_note", verification_note, required=on_behalf)
        from_state = ticket.state
        ticket.verify(verification_note=note, now=now)
        ticket.last_activity_at = now
        clocks.finish(ticket)
        ticket.save()
        search.add_words(ticket.pk, note, weight="C")
        base.record_transition(
            ticket,
            EventKind.VERIFIED,
            actor=actor,
            now=now,
            from_state=from_state,
            data={"note": note, "on_behalf": on_behalf},
        )
        hooks.verified.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return ticket


def reject_fix(ticket_id: int, *, actor: User, reason: str) -> Ticket:
    """The fix did not work: back to diagnosed, the reopen count goes up, the clock resumes."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.REJECT_FIX)
        why = base.text("reason", reason, limit=TEXT_MAX)
        from_state = ticket.state
        ticket.reject_fix(now=now)
        back_to_the_engineer(
            ticket,
            actor=actor,
            now=now,
            kind=EventKind.FIX_REJECTED,
            from_state=from_state,
            reason=why,
            resume_reason="fix_rejected",
            notice=TicketNotice.FIX_REJECTED,
        )
    return ticket


def back_to_the_engineer(
    ticket: Ticket,
    *,
    actor: User,
    now: dt.datetime,
    kind: EventKind,
    from_state: str,
    reason: str,
    resume_reason: str,
    notice: TicketNotice,
) -> None:
    """A fix that did not hold goes back to its engineer (a rejected fix, a reopened
    ticket): the resolution clock resumes, the timeline says why and how often, the reason
    becomes searchable, and the assignee is told. The transition itself has run."""
    ticket.last_activity_at = now
    resumed = clocks.resume(ticket, now, resume_reason)
    ticket.save()
    event = base.record_transition(
        ticket,
        kind,
        actor=actor,
        now=now,
        from_state=from_state,
        data={"reason": reason, "reopen_count": ticket.reopen_count},
    )
    if resumed:
        base.record(ticket, EventKind.SLA_RESUMED, actor=actor, now=now, data=resumed)
    search.add_words(ticket.pk, reason, weight="C")
    notify.tell_assignee(notice, ticket, event)


def close_ticket(ticket_id: int, *, actor: User) -> Ticket:
    """Close a verified ticket as completed."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.CLOSE)
        from_state = ticket.state
        ticket.close(now=now)
        ticket.last_activity_at = now
        clocks.finish(ticket)
        ticket.save()
        base.record_transition(
            ticket,
            EventKind.CLOSED,
            actor=actor,
            now=now,
            from_state=from_state,
        )
    return ticket


def cancel_ticket(ticket_id: int, *, actor: User, reason: str) -> Ticket:
    """Withdraw a ticket not yet diagnosed (the requester's own, or an engineer)."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        actions.check(ticket, actor, Action.CANCEL)
        why = base.text("reason", reason, source="cancel_reason")
        from_state = ticket.state
        ticket.cancel(reason=why, now=now)
        ticket.last_activity_at = now
        clocks.finish(ticket)
        ticket.save()
        search.add_words(ticket.pk, why, weight="C")
        base.record_transition(
            ticket,
            EventKind.CANCELLED,
            actor=actor,
            now=now,
            from_state=from_state,
            data={"reason": ticket.cancel_reason},
        )
    return ticket
