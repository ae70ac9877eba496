"""Every write to a ticket, its messages, files and timeline.

Each service follows one order, inside one transaction:
lock the row (``select_for_update(no_key=True)``) -> may this user see it
(else ``TicketNotFound``) -> may this user do it (else ``ActionForbidden``)
-> is it allowed in this state (else ``InvalidTransition``) -> validate the
input (``ValidationError`` naming the field) -> change -> save -> append a
``TicketEvent``. A second writer racing for the same ticket waits for the
lock, then sees the new state and fails cleanly; it never doubles an event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import User
from accounts.permissions import capabilities
from tickets import clocks, notifications, permissions
from tickets.attachments import clean_filename, stored_content_type, validate_upload
from tickets.choices import (
    Channel,
    EventKind,
    Impact,
    MessageKind,
    Priority,
    RootCauseType,
    TicketState,
    Urgency,
    WaitingOn,
)
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Attachment, Category, Message, Ticket, TicketEvent
from tickets.priority import derive_priority
from tickets.selectors import engineers

# After a transition: SLA changes to explain (kind, data) and who to tell.
ClockStep = Callable[[Ticket, dt.datetime], list[tuple[str, dict[str, Any]]]]
NotifyStep = Callable[[Ticket, TicketEvent, dt.datetime], None]

TITLE_MAX = 200
TEXT_MAX = 20_000
SHORT_MAX = 500

# Fields a PATCH or the edit form may change; everything else has its own service.
EDITABLE_FIELDS = ("title", "description", "affected_system", "scenario", "occurred_at", "contact")


# --- input checks -----------------------------------------------------------


def _text(field: str, value: Any, *, max_length: int, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("At most %(max)d characters (this has %(n)d).")
                % {"max": max_length, "n": len(text)}
            }
        )
    if "\x00" in text:
        raise ValidationError({field: _("Text may not contain NUL characters.")})
    return text


def _choice(field: str, value: Any, choices: type) -> str:
    if value not in choices.values:
        raise ValidationError(
            {
                field: _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)}
            }
        )
    return str(value)


# "Since when" is a moment in the past; the slack allows a caller's clock running ahead.
OCCURRED_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
OCCURRED_SLACK = dt.timedelta(days=1)


def _occurred_at(value: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not OCCURRED_EARLIEST <= value <= now + OCCURRED_SLACK:
        raise ValidationError({"occurred_at": _("Give a time between the year 2000 and now.")})
    return value


def _category(value: Category | str | None) -> Category:
    if isinstance(value, Category):
        category = value
    else:
        category = (
            Category.objects.filter(slug=value or "", is_active=True)
            .select_related("parent")
            .first()
        )
    if category is None or not category.is_active:
        raise ValidationError({"category": _("Unknown category.")})
    return category


# --- building blocks --------------------------------------------------------


def _next_number(now: dt.datetime) -> str:
    """``IT-YYYYMMDD-NNNN`` with a per-day counter that is safe under concurrency."""
    day = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tickets_ticketcounter (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = tickets_ticketcounter.last + 1 "
            "RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return f"IT-{day:%Y%m%d}-{sequence:04d}"


def _lock(ticket_id: int, actor: User) -> Ticket:
    try:
        ticket = (
            Ticket.objects.select_for_update(no_key=True, of=("self",))
            .select_related("category", "requester", "assignee")
            .get(pk=ticket_id)
        )
    except Ticket.DoesNotExist:
        raise TicketNotFound from None
    if not permissions.can_view(ticket, actor):
        raise TicketNotFound
    return ticket


def _record(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    now: dt.datetime,
    from_state: str = "",
    to_state: str = "",
    message: Message | None = None,
    data: dict[str, Any] | None = None,
    is_internal: bool = False,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=now,
        from_state=from_state,
        to_state=to_state,
        message=message,
        data=data or {},
        is_internal=is_internal,
    )


def _store_files(
    ticket: Ticket,
    files: Iterable[UploadedFile],
    *,
    actor: User,
    now: dt.datetime,
    message: Message | None = None,
    is_internal: bool = False,
) -> list[Attachment]:
    stored = []
    for upload in files:
        validate_upload(upload)
        name = clean_filename(upload.name or "")
        attachment = Attachment(
            ticket=ticket,
            message=message,
            uploaded_by=actor,
            original_name=name,
            content_type=stored_content_type(name),
            size=upload.size or 0,
            is_internal=is_internal,
            created_at=now,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        _record(
            ticket,
            EventKind.ATTACHMENT_ADDED,
            actor=actor,
            now=now,
            data={"files": [a.original_name for a in stored]},
            is_internal=is_internal,
        )
    return stored


def _transition_allowed(method: Callable[..., Any], ticket: Ticket, actor: User) -> bool:
    """The role check of a transition, independent of the current state (403 before 409)."""
    meta = method._django_fsm  # type: ignore[attr-defined]
    any_transition = next(iter(meta.transitions.values()))
    return bool(any_transition.has_perm(ticket, actor))


def _transition(
    ticket_id: int,
    *,
    actor: User,
    name: str,
    event: str,
    validate: Callable[[Ticket], dict[str, Any]],
    data: Callable[[Ticket], dict[str, Any]] | None = None,
    clock: ClockStep | None = None,
    notify: NotifyStep | None = None,
) -> Ticket:
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        method = getattr(ticket, name)
        if not _transition_allowed(method, ticket, actor):
            raise ActionForbidden(_("You may not do this on this ticket."))
        if not can_proceed(method):
            raise InvalidTransition(
                _("This cannot be done while the ticket is %(state)s.")
                % {"state": ticket.get_state_display()}
            )
        kwargs = validate(ticket)
        from_state = ticket.state
        method(now=now, **kwargs)
        ticket.last_activity_at = now
        sla_steps = clock(ticket, now) if clock else []
        ticket.save()
        recorded = _record(
            ticket,
            event,
            actor=actor,
            now=now,
            from_state=from_state,
            to_state=ticket.state,
            data=data(ticket) if data else {},
        )
        for kind, step_data in sla_steps:
            _record(ticket, kind, actor=actor, now=now, data=step_data)
        if notify:
            notify(ticket, recorded, now)
    return ticket


def _tell(recipients: Iterable[Any], kind: str) -> NotifyStep:
    """A notify step: tell these people about the event just recorded."""

    def step(ticket: Ticket, event: TicketEvent, now: dt.datetime) -> None:
        notifications.notify(
            recipients=list(recipients),
            kind=kind,
            cause=f"event:{event.pk}",
            ticket=ticket,
            now=now,
        )

    return step


def _tell_requester(kind: str) -> NotifyStep:
    def step(ticket: Ticket, event: TicketEvent, now: dt.datetime) -> None:
        _tell([ticket.requester], kind)(ticket, event, now)

    return step


def _tell_assignee(kind: str) -> NotifyStep:
    def step(ticket: Ticket, event: TicketEvent, now: dt.datetime) -> None:
        _tell([ticket.assignee], kind)(ticket, event, now)

    return step


def _pause_clock(reason: str) -> ClockStep:
    def step(ticket: Ticket, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
        data = clocks.pause(ticket, now, reason)
        return [(EventKind.SLA_PAUSED, data)] if data else []

    return step


def _resume_clock(reason: str) -> ClockStep:
    def step(ticket: Ticket, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
        data = clocks.resume(ticket, now, reason)
        return [(EventKind.SLA_RESUMED, data)] if data else []

    return step


def _resolved_clock(ticket: Ticket, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
    clocks.stop_resolution(ticket, now)
    return _pause_clock("awaiting_verification")(ticket, now)


def _finish_clock(ticket: Ticket, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
    clocks.finish(ticket)
    return []


# --- submission ---------------------------------------------------------------


def submit_ticket(
    *,
    actor: User,
    title: str,
    description: str,
    category: Category | str,
    impact: str,
    urgency: str,
    requester: User | None = None,
    channel: str = Channel.WEB,
    affected_system: str = "",
    occurred_at: dt.datetime | None = None,
    scenario: str = "",
    contact: str = "",
    asset: Any = None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """File a ticket. With a ``requester`` other than the actor, an engineer logs a call."""
    caps = capabilities(actor)
    if not caps.file_ticket:
        raise ActionForbidden(_("You may not file tickets."))
    requester = requester or actor
    on_behalf = requester.pk != actor.pk
    if on_behalf and not permissions.can_file_for_others(actor):
        raise ActionForbidden(_("You may not file tickets for other people."))
    if not requester.is_active:
        raise ValidationError({"requester": _("This person's account is disabled.")})
    fields = {
        "title": _text("title", title, max_length=TITLE_MAX),
        "description": _text("description", description, max_length=TEXT_MAX),
        "affected_system": _text(
            "affected_system", affected_system, max_length=200, required=False
        ),
        "scenario": _text("scenario", scenario, max_length=SHORT_MAX, required=False),
        "contact": _text("contact", contact, max_length=200, required=False),
        "impact": _choice("impact", impact, Impact),
        "urgency": _choice("urgency", urgency, Urgency),
        "channel": _choice("channel", channel, Channel),
    }
    cat = _category(category)
    occurred_at = _occurred_at(occurred_at, timezone.now())
    if asset is not None and asset.owner_id not in (None, requester.pk) and not caps.view_all:
        raise ValidationError({"asset": _("This device is not yours.")})
    for upload in files:
        validate_upload(upload)
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.create(
            number=_next_number(now),
            requester=requester,
            reported_by=actor if on_behalf else None,
            site=requester.site,
            category=cat,
            asset=asset,
            occurred_at=occurred_at,
            priority=derive_priority(
                impact=fields["impact"],
                urgency=fields["urgency"],
                is_security=cat.is_security_incident,
            ),
            submitted_at=now,
            last_activity_at=now,
            **fields,
        )
        sla_data = clocks.start(ticket)
        ticket.save(update_fields=clocks.SLA_FIELDS)
        event = _record(
            ticket,
            EventKind.SUBMITTED,
            actor=actor,
            now=now,
            to_state=TicketState.SUBMITTED,
            data={"channel": ticket.channel, "priority": ticket.priority},
        )
        _record(ticket, EventKind.SLA_STARTED, actor=None, now=now, data=sla_data)
        _store_files(ticket, files, actor=actor, now=now)
        if ticket.priority == Priority.HIGH:  # 7x24 emergency: every engineer hears of it
            _tell(engineers(), "ticket_submitted")(ticket, event, now)
    return ticket


# --- lifecycle ------------------------------------------------------------------


def accept_ticket(ticket_id: int, *, actor: User, assignee: User | None = None) -> Ticket:
    """Take a submitted ticket; the assignee is the actor unless a tech lead names someone."""

    def validate(ticket: Ticket) -> dict[str, Any]:
        person = assignee or actor
        if person.pk != actor.pk:
            if not permissions.can_assign(ticket, actor):
                raise ActionForbidden(_("Only a tech lead can accept on someone else's behalf."))
            if not capabilities(person).work_queue or not person.is_active:
                raise ValidationError({"assignee": _("This person does not work the queue.")})
        return {"assignee": person}

    response: dict[str, Any] = {}

    def clock(ticket: Ticket, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
        response.update(clocks.stop_response(ticket, now))
        return []

    return _transition(
        ticket_id,
        actor=actor,
        name="accept",
        event=EventKind.ACCEPTED,
        validate=validate,
        data=lambda t: {"assignee": t.assignee.name if t.assignee else "", **response},
        clock=clock,
        notify=_tell_requester("ticket_accepted"),
    )


def diagnose_ticket(
    ticket_id: int,
    *,
    actor: User,
    root_cause_type: str,
    root_cause: str = "",
    impact_scope: str,
    solution_plan: str,
) -> Ticket:
    def validate(ticket: Ticket) -> dict[str, Any]:
        return {
            "root_cause_type": _choice("root_cause_type", root_cause_type, RootCauseType),
            "root_cause": _text("root_cause", root_cause, max_length=TEXT_MAX, required=False),
            "impact_scope": _text("impact_scope", impact_scope, max_length=SHORT_MAX),
            "solution_plan": _text("solution_plan", solution_plan, max_length=TEXT_MAX),
        }

    return _transition(
        ticket_id,
        actor=actor,
        name="diagnose",
        event=EventKind.DIAGNOSED,
        validate=validate,
        data=lambda t: {"root_cause_type": t.root_cause_type, "impact_scope": t.impact_scope},
    )


def resolve_ticket(ticket_id: int, *, actor: User, solution: str) -> Ticket:
    return _transition(
        ticket_id,
        actor=actor,
        name="resolve",
        event=EventKind.RESOLVED,
        validate=lambda t: {"solution": _text("solution", solution, max_length=TEXT_MAX)},
        clock=_resolved_clock,
        notify=_tell_requester("ticket_resolved"),
    )


def verify_ticket(ticket_id: int, *, actor: User, verification_note: str = "") -> Ticket:
    """The requester confirms the fix; an engineer may record it for them, with a note."""

    def validate(ticket: Ticket) -> dict[str, Any]:
        required = not permissions.is_requester_of(ticket, actor)
        note = _text("verification_note", verification_note, max_length=TEXT_MAX, required=required)
        return {"verification_note": note}

    return _transition(
        ticket_id,
        actor=actor,
        name="verify",
        event=EventKind.VERIFIED,
        validate=validate,
        data=lambda t: {
            "note": t.verification_note,
            "on_behalf": not permissions.is_requester_of(t, actor),
        },
        clock=_finish_clock,
    )


def reject_fix(ticket_id: int, *, actor: User, reason: str) -> Ticket:
    """The fix did not work: back to diagnosed, the reopen count goes up."""
    checked: dict[str, str] = {}

    def validate(ticket: Ticket) -> dict[str, Any]:
        checked["reason"] = _text("reason", reason, max_length=TEXT_MAX)
        return {}

    return _transition(
        ticket_id,
        actor=actor,
        name="reject_fix",
        event=EventKind.FIX_REJECTED,
        validate=validate,
        data=lambda t: {"reason": checked["reason"], "reopen_count": t.reopen_count},
        clock=_resume_clock("fix_rejected"),
        notify=_tell_assignee("fix_rejected"),
    )


def close_ticket(ticket_id: int, *, actor: User) -> Ticket:
    return _transition(
        ticket_id,
        actor=actor,
        name="close",
        event=EventKind.CLOSED,
        validate=lambda t: {},
        clock=_finish_clock,
    )


def cancel_ticket(ticket_id: int, *, actor: User, reason: str) -> Ticket:
    return _transition(
        ticket_id,
        actor=actor,
        name="cancel",
        event=EventKind.CANCELLED,
        validate=lambda t: {"reason": _text("reason", reason, max_length=SHORT_MAX)},
        data=lambda t: {"reason": t.cancel_reason},
        clock=_finish_clock,
    )


# --- conversation and holds -------------------------------------------------------


def add_message(
    ticket_id: int,
    *,
    actor: User,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Message:
    """A public reply or an internal note. A requester's reply ends a wait on them."""
    text = _text("body", body, max_length=TEXT_MAX)
    for upload in files:
        validate_upload(upload)
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        if internal and not (
            permissions.can_view_internal(actor) and permissions.can_work(ticket, actor)
        ):
            raise ActionForbidden(_("Only engineers write internal notes."))
        if not permissions.can_reply(ticket, actor):
            raise ActionForbidden(_("You may not reply on this ticket."))
        if ticket.state == TicketState.CLOSED:
            raise InvalidTransition(_("This ticket is closed; please file a new one."))
        message = Message.objects.create(
            ticket=ticket,
            author=actor,
            kind=MessageKind.INTERNAL if internal else MessageKind.PUBLIC,
            body=text,
            created_at=now,
        )
        answered = (
            not internal
            and ticket.is_waiting_on_requester
            and permissions.is_requester_of(ticket, actor)
        )
        kind = EventKind.NOTE_ADDED if internal else EventKind.REPLIED
        resumed = None
        if answered:
            kind = EventKind.INFO_PROVIDED
            ticket.waiting_on = WaitingOn.NONE
            resumed = clocks.resume(ticket, now, "requester_answered")
        ticket.last_activity_at = now
        ticket.save(update_fields=["waiting_on", "last_activity_at", *clocks.SLA_FIELDS])
        event = _record(ticket, kind, actor=actor, now=now, message=message, is_internal=internal)
        if resumed:
            _record(ticket, EventKind.SLA_RESUMED, actor=actor, now=now, data=resumed)
        _store_files(ticket, files, actor=actor, now=now, message=message, is_internal=internal)
        if not internal:  # internal notes never leave the engineers' view
            if permissions.is_requester_of(ticket, actor):
                _tell_assignee("info_provided" if answered else "reply")(ticket, event, now)
            else:
                _tell_requester("reply")(ticket, event, now)
    return message


def request_info(ticket_id: int, *, actor: User, question: str) -> Ticket:
    """Ask the requester for missing details (R2.3); the ticket waits on them until they answer."""
    text = _text("question", question, max_length=TEXT_MAX)
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        if not permissions.can_work(ticket, actor):
            raise ActionForbidden(_("Only engineers ask for information."))
        if ticket.state not in (TicketState.ACCEPTED, TicketState.DIAGNOSED):
            raise InvalidTransition(_("Accept the ticket before asking for details."))
        if ticket.is_waiting_on_requester:
            raise InvalidTransition(_("The ticket is already waiting on the requester."))
        message = Message.objects.create(
            ticket=ticket, author=actor, kind=MessageKind.PUBLIC, body=text, created_at=now
        )
        ticket.waiting_on = WaitingOn.REQUESTER
        ticket.last_activity_at = now
        paused = clocks.pause(ticket, now, "waiting_on_requester")
        ticket.save(update_fields=["waiting_on", "last_activity_at", *clocks.SLA_FIELDS])
        event = _record(ticket, EventKind.INFO_REQUESTED, actor=actor, now=now, message=message)
        if paused:
            _record(ticket, EventKind.SLA_PAUSED, actor=actor, now=now, data=paused)
        _tell_requester("info_requested")(ticket, event, now)
    return ticket


def add_attachments(
    ticket_id: int, *, actor: User, files: Sequence[UploadedFile]
) -> list[Attachment]:
    if not files:
        raise ValidationError({"file": _("Choose a file to upload.")})
    for upload in files:
        validate_upload(upload, field="file")
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        if not permissions.can_reply(ticket, actor):
            raise ActionForbidden(_("You may not add files to this ticket."))
        if ticket.state == TicketState.CLOSED:
            raise InvalidTransition(_("This ticket is closed; please file a new one."))
        ticket.last_activity_at = now
        ticket.save(update_fields=["last_activity_at"])
        return _store_files(ticket, files, actor=actor, now=now)


# --- edits ------------------------------------------------------------------------


def update_ticket_details(ticket_id: int, *, actor: User, changes: dict[str, Any]) -> Ticket:
    """Edit descriptive fields only (``EDITABLE_FIELDS``); anything else is ignored."""
    limits = {
        "title": TITLE_MAX,
        "description": TEXT_MAX,
        "affected_system": 200,
        "scenario": SHORT_MAX,
        "contact": 200,
    }
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            continue
        if field == "occurred_at":
            cleaned[field] = _occurred_at(value, timezone.now())
        else:
            cleaned[field] = _text(
                field, value, max_length=limits[field], required=field in ("title", "description")
            )
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        if not permissions.can_edit_details(ticket, actor):
            raise ActionForbidden(_("You may not edit this ticket."))
        if ticket.state == TicketState.CLOSED:
            raise InvalidTransition(_("A closed ticket cannot be edited."))
        changed = [f for f, v in cleaned.items() if getattr(ticket, f) != v]
        if not changed:
            return ticket
        for field in changed:
            setattr(ticket, field, cleaned[field])
        ticket.last_activity_at = now
        ticket.save(update_fields=[*changed, "last_activity_at"])
        _record(ticket, EventKind.DETAILS_EDITED, actor=actor, now=now, data={"fields": changed})
    return ticket


def change_priority(ticket_id: int, *, actor: User, priority: str, reason: str) -> Ticket:
    """Override the derived priority; the reason is required and kept on the ticket and timeline."""
    new = _choice("priority", priority, Priority)
    why = _text("reason", reason, max_length=SHORT_MAX)
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        if not permissions.can_change_priority(ticket, actor):
            raise ActionForbidden(_("Only engineers change priority."))
        if not ticket.is_open:
            raise InvalidTransition(_("The priority of a finished ticket cannot change."))
        if ticket.priority == new:
            raise InvalidTransition(_("The ticket already has this priority."))
        old = ticket.priority
        ticket.priority = new
        ticket.priority_reason = why
        ticket.last_activity_at = now
        recalculated = clocks.recalculate(ticket, now, why)
        ticket.save(
            update_fields=["priority", "priority_reason", "last_activity_at", *clocks.SLA_FIELDS]
        )
        _record(
            ticket,
            EventKind.PRIORITY_CHANGED,
            actor=actor,
            now=now,
            data={"from": old, "to": new, "reason": why},
        )
        _record(ticket, EventKind.SLA_RECALCULATED, actor=actor, now=now, data=recalculated)
    return ticket


def assign_ticket(ticket_id: int, *, actor: User, assignee: User) -> Ticket:
    """A tech lead hands an accepted ticket to another engineer."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket_id, actor)
        if not permissions.can_assign(ticket, actor):
            raise ActionForbidden(_("Only a tech lead assigns tickets."))
        if ticket.state not in (TicketState.ACCEPTED, TicketState.DIAGNOSED, TicketState.RESOLVED):
            raise InvalidTransition(_("Only accepted, open tickets can be reassigned."))
        if not capabilities(assignee).work_queue or not assignee.is_active:
            raise ValidationError({"assignee": _("This person does not work the queue.")})
        if ticket.assignee_id == assignee.pk:
            raise InvalidTransition(_("The ticket is already assigned to this engineer."))
        old = ticket.assignee.name if ticket.assignee else ""
        ticket.assignee = assignee
        ticket.last_activity_at = now
        ticket.save(update_fields=["assignee", "last_activity_at"])
        event = _record(
            ticket,
            EventKind.ASSIGNED,
            actor=actor,
            now=now,
            data={"from": old, "to": assignee.name},
        )
        _tell([assignee], "ticket_assigned")(ticket, event, now)
    return ticket


# --- system actions ------------------------------------------------------------------


def auto_verify_resolved(*, now: dt.datetime | None = None) -> int:
    """Verify fixes the requester left unanswered for ``TICKETS_AUTO_VERIFY_DAYS`` working
    days (DESIGN.md). Rows another writer holds are skipped and retried on the next run."""
    from servicedesk.lib.business_hours import end_of_working_days
    from tickets.calendars import calendar_for_site

    now = now or timezone.now()
    days = int(settings.TICKETS_AUTO_VERIFY_DAYS)
    # Working days are never fewer than calendar days: a cheap first cut on the index.
    candidates = Ticket.objects.filter(
        state=TicketState.RESOLVED, resolved_at__lte=now - dt.timedelta(days=days)
    ).values_list("pk", flat=True)
    verified = 0
    for ticket_id in candidates:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(pk=ticket_id, state=TicketState.RESOLVED)
                .first()
            )
            if ticket is None or ticket.resolved_at is None:
                continue
            deadline = end_of_working_days(
                ticket.resolved_at, days, calendar_for_site(ticket.site_id)
            )
            if deadline > now:
                continue
            note = _("Confirmed automatically: no answer within %(days)d working days.") % {
                "days": days
            }
            ticket.verify(verification_note=note, now=now)
            clocks.finish(ticket)
            ticket.last_activity_at = now
            ticket.save()
            _record(
                ticket,
                EventKind.VERIFIED,
                actor=None,
                now=now,
                from_state=TicketState.RESOLVED,
                to_state=TicketState.VERIFIED,
                data={"note": note, "auto": True},
            )
            verified += 1
    return verified
