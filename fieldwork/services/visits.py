"""On-site visits (R3.2, R4.2): the engineer schedules one with what to bring, the
requester confirms the time or proposes another (with a note), the engineer accepts the
proposal or sets a new time, and after the visit records what was found and done.

Each service is a straight line: atomic → lock the ticket row → visible (else 404) →
permitted (403) → allowed now (409) → validate (400, the field named) → change → save →
timeline entry → tell people. The visit row is locked after the ticket row (always in
that order), so a confirmation and a reschedule of the same visit queue behind each other.

Who: scheduling is for whoever handles the ticket (the assignee or a tech lead);
rescheduling, cancelling and recording a visit also for the visit's own engineer;
confirming and proposing a time for the ticket's requester alone. States: a visit is
arranged and done while the ticket is being worked (accepted or diagnosed); it is
``scheduled`` → (``proposed`` ⇄ ``scheduled``) → ``confirmed`` → ``completed``, or
``cancelled`` at any point before it is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from fieldwork.choices import VisitState
from fieldwork.models import SiteVisit
from notifications import outbox
from tickets import hooks, permissions
from tickets import selectors as ticket_selectors
from tickets.choices import WORK_STATES
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket, TicketEvent
from tickets.notify import ticket_link
from tickets.services import base

# A visit is agreed for a time to come, at most this far ahead.
FURTHEST_AHEAD = dt.timedelta(days=365)
OPEN_VISIT_STATES = frozenset({VisitState.SCHEDULED, VisitState.PROPOSED, VisitState.CONFIRMED})


class VisitEntry(models.TextChoices):
    """Timeline entries of a visit (public: the requester sees every step)."""

    SCHEDULED = "visit_scheduled", gettext_lazy("On-site visit scheduled")
    CONFIRMED = "visit_confirmed", gettext_lazy("Visit time confirmed")
    PROPOSED = "visit_time_proposed", gettext_lazy("Another visit time proposed")
    RESCHEDULED = "visit_rescheduled", gettext_lazy("Visit rescheduled")
    CANCELLED = "visit_cancelled", gettext_lazy("Visit cancelled")
    COMPLETED = "visit_completed", gettext_lazy("On-site visit done")


class VisitNotice(models.TextChoices):
    """What people are told: the requester of the engineer's steps, the engineer of the
    requester's answer."""

    SCHEDULED = "visit_scheduled", gettext_lazy("An engineer will visit you")
    RESCHEDULED = "visit_rescheduled", gettext_lazy("Your on-site visit has a new time")
    CANCELLED = "visit_cancelled", gettext_lazy("An on-site visit was cancelled")
    CONFIRMED = "visit_confirmed", gettext_lazy("The requester confirmed the visit time")
    PROPOSED = "visit_time_proposed", gettext_lazy("The requester proposed another visit time")
    # R7.2: the local IT contact sent on a visit a central engineer arranged at their site.
    SENT = "visit_sent", gettext_lazy("You were sent on an on-site visit at your site")


# --- input -------------------------------------------------------------------------------


def clean_time(field: str, value: Any, now: dt.datetime) -> dt.datetime:
    """A moment to come (aware; a naive one is in the reader's zone), within a year."""
    moment = value
    if isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if not isinstance(moment, dt.datetime):
        raise ValidationError({field: _("Give a date and time, e.g. 2026-11-26 14:30.")})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment.astimezone(dt.UTC)  # the year 1 in Shanghai is the year 0 in UTC
    except OverflowError:
        raise ValidationError({field: _("Choose a time within the next year.")}) from None
    if moment <= now:
        raise ValidationError({field: _("Choose a time that has not passed yet.")})
    if moment > now + FURTHEST_AHEAD:
        raise ValidationError({field: _("Choose a time within the next year.")})
    return moment


def clean_flag(field: str, value: Any) -> bool:
    """A yes/no answer that must be given (``None`` or anything else is a field error)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ValidationError({field: _("Answer yes or no.")})


# --- the shared steps ----------------------------------------------------------------------


def _lock_visit(ticket: Ticket, visit_id: Any) -> SiteVisit:
    """The visit of this ticket, locked after the ticket; another ticket's visit is a 404."""
    try:
        pk = int(visit_id)
    except (TypeError, ValueError):
        raise TicketNotFound from None
    visit = (
        SiteVisit.objects.select_for_update(no_key=True, of=("self",))
        .select_related("engineer")
        .filter(ticket_id=ticket.pk, pk=pk)
        .first()
    )
    if visit is None:
        raise TicketNotFound
    return visit


def _may_work_visit(ticket: Ticket, visit: SiteVisit, actor: User) -> bool:
    """The ticket's handler (assignee, tech lead) or the engineer sent on the visit."""
    return permissions.can_handle(ticket, actor) or (
        visit.engineer_id == actor.pk and permissions.can_work(ticket, actor)
    )


def _while_worked(ticket: Ticket) -> None:
    if ticket.state not in WORK_STATES:
        raise InvalidTransition(
            _("Visits are arranged while the ticket is being worked (accepted or diagnosed).")
        )


def _open(visit: SiteVisit) -> None:
    if visit.state not in OPEN_VISIT_STATES:
        raise InvalidTransition(_("This visit is already done or cancelled."))


def _touch(ticket: Ticket, now: dt.datetime) -> None:
    ticket.last_activity_at = now
    ticket.save(update_fields=["last_activity_at"])


def _tell(
    recipients: list[User | None],
    kind: VisitNotice,
    ticket: Ticket,
    event: TicketEvent,
    visit_at: dt.datetime | None,
) -> None:
    extra = {"when_at": visit_at.isoformat()} if visit_at else {}
    outbox.save_and_dispatch(
        outbox.build(
            recipients=recipients,
            kind=kind,
            cause=f"event:{event.pk}",
            now=event.at,
            link=ticket_link(ticket),
            payload={"number": ticket.number, "title": ticket.title, **extra},
        )
    )


def _on_site_engineer(ticket: Ticket, actor: User) -> User:
    """Who goes (R7.2): at a site with local IT contacts, one of them — the one arranging
    it, else the ticket's assignee, else the first by username — with the arranging
    (central) engineer's note of what to bring; elsewhere the engineer arranging it."""
    contacts = list(ticket_selectors.local_contacts_of(ticket.site_id))
    if not contacts or any(person.pk == actor.pk for person in contacts):
        return actor
    return next((p for p in contacts if p.pk == ticket.assignee_id), contacts[0])


def _data(visit: SiteVisit, **extra: Any) -> dict[str, Any]:
    return {"visit": visit.pk, "at": visit.scheduled_at.isoformat(), **extra}


# --- the services --------------------------------------------------------------------------


def schedule_visit(ticket_id: int, *, actor: User, scheduled_at: Any, bring: str = "") -> SiteVisit:
    """The engineer handling the ticket arranges a visit at a time agreed with the
    requester (who is told, and confirms it or proposes another), noting the parts and
    tools to bring."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.can_handle(ticket, actor):
            raise ActionForbidden(_("Only the engineer handling the ticket schedules visits."))
        _while_worked(ticket)
        when = clean_time("scheduled_at", scheduled_at, now)
        what = base.text("bring", bring, model=SiteVisit, required=False)
        engineer = _on_site_engineer(ticket, actor)
        visit = SiteVisit.objects.create(
            ticket=ticket,
            engineer=engineer,
            scheduled_at=when,
            bring=what,
            created_by=actor,
            created_at=now,
        )
        _touch(ticket, now)
        sent = {"arranged_by": actor.name} if engineer.pk != actor.pk else {}
        event = base.record(
            ticket,
            VisitEntry.SCHEDULED,
            actor=actor,
            now=now,
            data=_data(visit, bring=what, engineer=engineer.name, **sent),
        )
        _tell([ticket.requester], VisitNotice.SCHEDULED, ticket, event, when)
        if sent:
            _tell([engineer], VisitNotice.SENT, ticket, event, when)
        hooks.public_update.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return visit


def confirm_visit(ticket_id: int, visit_id: Any, *, actor: User) -> SiteVisit:
    """The requester agrees to the visit's time; the engineer is told."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        visit = _lock_visit(ticket, visit_id)
        if not permissions.is_requester_of(ticket, actor):
            raise ActionForbidden(_("Only the requester confirms a visit time."))
        _while_worked(ticket)
        if visit.state != VisitState.SCHEDULED:
            raise InvalidTransition(_("This visit has no time waiting for your confirmation."))
        visit.state = VisitState.CONFIRMED
        visit.confirmed_at = now
        visit.save(update_fields=["state", "confirmed_at"])
        _touch(ticket, now)
        event = base.record(ticket, VisitEntry.CONFIRMED, actor=actor, now=now, data=_data(visit))
        _tell([visit.engineer], VisitNotice.CONFIRMED, ticket, event, visit.scheduled_at)
    return visit


def propose_visit_time(
    ticket_id: int, visit_id: Any, *, actor: User, proposed_at: Any, note: str = ""
) -> SiteVisit:
    """The requester cannot make the time and proposes another, with a note; the engineer
    is told and accepts it or sets a new time. Until then the visit has no agreed time."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        visit = _lock_visit(ticket, visit_id)
        if not permissions.is_requester_of(ticket, actor):
            raise ActionForbidden(_("Only the requester proposes another visit time."))
        _while_worked(ticket)
        _open(visit)
        when = clean_time("proposed_at", proposed_at, now)
        said = base.text("note", note, model=SiteVisit, source="proposal_note", required=False)
        visit.state = VisitState.PROPOSED
        visit.proposed_at = when
        visit.proposal_note = said
        visit.confirmed_at = None
        visit.save(update_fields=["state", "proposed_at", "proposal_note", "confirmed_at"])
        _touch(ticket, now)
        event = base.record(
            ticket,
            VisitEntry.PROPOSED,
            actor=actor,
            now=now,
            data=_data(visit, proposed=when.isoformat(), note=said),
        )
        _tell([visit.engineer], VisitNotice.PROPOSED, ticket, event, when)
    return visit


def reschedule_visit(
    ticket_id: int, visit_id: Any, *, actor: User, scheduled_at: Any = None
) -> SiteVisit:
    """A new time for the visit. Without ``scheduled_at`` the engineer accepts the time
    the requester proposed (the visit is then confirmed: the requester chose it); with a
    time of the engineer's own the requester is asked to confirm again."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        visit = _lock_visit(ticket, visit_id)
        if not _may_work_visit(ticket, visit, actor):
            raise ActionForbidden(_("Only the engineer handling the ticket reschedules visits."))
        _while_worked(ticket)
        _open(visit)
        previous = visit.scheduled_at
        if scheduled_at is None or scheduled_at == "":
            if visit.state != VisitState.PROPOSED or visit.proposed_at is None:
                raise ValidationError(
                    {"scheduled_at": _("Give the new time: the requester proposed none.")}
                )
            when = clean_time("scheduled_at", visit.proposed_at, now)
            accepted = True
        else:
            when = clean_time("scheduled_at", scheduled_at, now)
            accepted = visit.state == VisitState.PROPOSED and when == visit.proposed_at
        visit.scheduled_at = when
        visit.state = VisitState.CONFIRMED if accepted else VisitState.SCHEDULED
        visit.confirmed_at = now if accepted else None
        visit.proposed_at = None
        visit.proposal_note = ""
        visit.save(
            update_fields=["scheduled_at", "state", "confirmed_at", "proposed_at", "proposal_note"]
        )
        _touch(ticket, now)
        event = base.record(
            ticket,
            VisitEntry.RESCHEDULED,
            actor=actor,
            now=now,
            data=_data(visit, previous=previous.isoformat(), accepted=accepted),
        )
        _tell([ticket.requester], VisitNotice.RESCHEDULED, ticket, event, when)
        hooks.public_update.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return visit


def cancel_visit(ticket_id: int, visit_id: Any, *, actor: User, reason: str = "") -> SiteVisit:
    """The visit will not happen (fixed remotely, the device was swapped …); the
    requester is told. Possible in any state of the ticket, as long as the visit is open."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        visit = _lock_visit(ticket, visit_id)
        if not _may_work_visit(ticket, visit, actor):
            raise ActionForbidden(_("Only the engineer handling the ticket cancels visits."))
        _open(visit)
        why = base.text("reason", reason, model=SiteVisit, source="proposal_note", required=False)
        visit.state = VisitState.CANCELLED
        visit.save(update_fields=["state"])
        _touch(ticket, now)
        event = base.record(
            ticket, VisitEntry.CANCELLED, actor=actor, now=now, data=_data(visit, reason=why)
        )
        _tell([ticket.requester], VisitNotice.CANCELLED, ticket, event, visit.scheduled_at)
    return visit


def complete_visit(
    ticket_id: int,
    visit_id: Any,
    *,
    actor: User,
    work_done: str,
    site_cleaned: Any,
    indicator_lights: str = "",
    physical_damage: str = "",
    parts_used: str = "",
) -> SiteVisit:
    """After the visit (R4.2): the state of the indicator lights, any physical damage,
    what was done, the parts used and whether the site was left clean. The parts used go
    into the device's maintenance history when the ticket is resolved."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        visit = _lock_visit(ticket, visit_id)
        if not _may_work_visit(ticket, visit, actor):
            raise ActionForbidden(_("Only the engineer handling the ticket records a visit."))
        _while_worked(ticket)
        _open(visit)
        done = base.text("work_done", work_done, model=SiteVisit)
        lights = base.text("indicator_lights", indicator_lights, model=SiteVisit, required=False)
        damage = base.text("physical_damage", physical_damage, model=SiteVisit, required=False)
        parts = base.text("parts_used", parts_used, model=SiteVisit, required=False)
        cleaned = clean_flag("site_cleaned", site_cleaned)
        visit.state = VisitState.COMPLETED
        visit.work_done = done
        visit.indicator_lights = lights
        visit.physical_damage = damage
        visit.parts_used = parts
        visit.site_cleaned = cleaned
        visit.completed_at = now
        visit.save()
        _touch(ticket, now)
        base.record(
            ticket,
            VisitEntry.COMPLETED,
            actor=actor,
            now=now,
            data=_data(
                visit,
                work_done=done,
                indicator_lights=lights,
                physical_damage=damage,
                parts_used=parts,
                site_cleaned=cleaned,
            ),
        )
        hooks.public_update.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
    return visit
