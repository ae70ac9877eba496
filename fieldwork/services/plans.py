"""The diagnosis' evidence and the solution plan (R3.3–R3.5), and the requester's word on
the operation window.

The engineer handling the ticket records, while it is being worked on (accepted or
diagnosed): the log references (attachments of the ticket picked as logs, and written
references), when the fault was triggered and the operation it came with, the approach —
least invasive first: restart, configuration rollback, replacement, other —, its risk and an
operation window. The requester confirms the window on their page (or by API); a window
that moves needs a new confirmation, and the requester is asked again.

Nothing blocks work or resolving while a window waits for confirmation: an urgent fix
must not wait for a click. The pages say it instead ("waiting for the requester to
confirm the window"), to the engineer and to the requester.

Each service is a straight line: atomic → lock the ticket row → visible (else 404) →
permitted (403) → allowed now (409) → validate (400, the field named) → change → save →
timeline entry → tell people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AnyUser, User
from accounts.permissions import capabilities
from fieldwork.choices import PlanApproach
from fieldwork.models import WorkPlan
from notifications import outbox
from tickets import permissions
from tickets.choices import WORK_STATES
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.notify import ticket_link
from tickets.services import base

# "When was the fault triggered" is a past moment; the slack allows a caller's clock ahead.
TRIGGERED_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
TRIGGERED_SLACK = dt.timedelta(minutes=10)
# An operation window is agreed for the coming weeks, not for next year.
WINDOW_AHEAD = dt.timedelta(days=366)
# Attachments a plan may name as its logs (a ticket rarely has more files than this).
MAX_LOG_ATTACHMENTS = 20

# The approaches in the order they are tried: least invasive first (R3.5).
APPROACH_ORDER = [
    PlanApproach.RESTART,
    PlanApproach.ROLLBACK,
    PlanApproach.REPLACEMENT,
    PlanApproach.OTHER,
]


class PlanEntry(models.TextChoices):
    """Timeline entries of the plan (public: the requester reads the plan and its window)."""

    RECORDED = "plan_recorded", gettext_lazy("Solution plan recorded")
    CONFIRMED = "plan_confirmed", gettext_lazy("Operation window confirmed")


class PlanNotice(models.TextChoices):
    """The requester is asked to confirm a window; the engineer hears it was confirmed."""

    WINDOW_PROPOSED = "plan_window_proposed", gettext_lazy("Please confirm the operation window")
    WINDOW_CONFIRMED = (
        "plan_window_confirmed",
        gettext_lazy("The requester confirmed the operation window"),
    )


class PlanStatus(models.TextChoices):
    NO_WINDOW = "no_window", gettext_lazy("No operation window")
    AWAITING = "awaiting_confirmation", gettext_lazy("Waiting for the requester to confirm")
    CONFIRMED = "confirmed", gettext_lazy("Window confirmed by the requester")


def status_of(plan: WorkPlan) -> str:
    if plan.window_start is None or plan.window_end is None:
        return PlanStatus.NO_WINDOW
    return PlanStatus.CONFIRMED if plan.confirmed_at else PlanStatus.AWAITING


@dataclass(frozen=True)
class Window:
    start: dt.datetime | None
    end: dt.datetime | None

    @property
    def is_set(self) -> bool:
        return self.start is not None and self.end is not None


# --- reads ---------------------------------------------------------------------------------


def plan_of(ticket: Ticket) -> WorkPlan | None:
    """The ticket's plan with its people and picked logs (two queries), or ``None``."""
    return (
        WorkPlan.objects.filter(ticket_id=ticket.pk)
        .select_related("created_by", "confirmed_by")
        .prefetch_related(
            Prefetch("log_attachments", queryset=Attachment.objects.order_by("created_at", "pk"))
        )
        .first()
    )


def log_files(plan: WorkPlan, viewer: AnyUser) -> list[Attachment]:
    """The plan's picked logs this viewer may open (files of internal notes: staff only)."""
    files = list(plan.log_attachments.all())  # prefetched by ``plan_of``
    if permissions.can_view_internal(viewer):
        return files
    return [f for f in files if not f.is_internal]


def may_record(ticket: Ticket, user: AnyUser) -> bool:
    """Whether the plan form is offered: the handler, while the ticket is being worked on."""
    return ticket.state in WORK_STATES and permissions.can_handle(ticket, user)


def may_confirm(ticket: Ticket, plan: WorkPlan | None, user: AnyUser, now: dt.datetime) -> bool:
    return (
        permissions.is_requester_of(ticket, user)
        and ticket.state in WORK_STATES
        and plan is not None
        and plan.window_end is not None
        and plan.confirmed_at is None
        and plan.window_end > now
    )


# --- input ---------------------------------------------------------------------------------


def clean_moment(field: str, value: Any) -> dt.datetime | None:
    """An aware datetime (a naive one is read in the active zone, the reader's), or None."""
    if value in (None, ""):
        return None
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: _("Give a date and time.")})
    moment: dt.datetime = value
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(dt.UTC)  # a time near year 1 or 9999 may not exist in UTC
    except (OverflowError, ValueError):
        raise ValidationError({field: _("Give a date and time.")}) from None
    return moment


def clean_triggered_at(value: Any, now: dt.datetime) -> dt.datetime | None:
    moment = clean_moment("fault_triggered_at", value)
    if moment is not None and not TRIGGERED_EARLIEST <= moment <= now + TRIGGERED_SLACK:
        raise ValidationError(
            {"fault_triggered_at": _("Give a time between the year 2000 and now.")}
        )
    return moment


def clean_window(start: Any, end: Any, *, now: dt.datetime, old: Window | None) -> Window:
    """Both ends or neither; a new or moved window starts in the future and ends after it
    starts. An unchanged window is kept as it is, even once it has begun."""
    window = Window(clean_moment("window_start", start), clean_moment("window_end", end))
    if window.start is None and window.end is None:
        return window
    if window.start is None:
        raise ValidationError({"window_start": _("Give when the window starts.")})
    if window.end is None:
        raise ValidationError({"window_end": _("Give when the window ends.")})
    if old is not None and window == old:
        return window
    if window.start <= now:
        raise ValidationError({"window_start": _("The window must start in the future.")})
    if window.start > now + WINDOW_AHEAD:
        raise ValidationError({"window_start": _("Choose a window within the coming year.")})
    if window.end <= window.start:
        raise ValidationError({"window_end": _("The window must end after it starts.")})
    return window


def clean_log_attachments(ticket: Ticket, value: Iterable[Any] | None) -> list[Attachment]:
    """Attachments of this ticket, by id (or the rows themselves); anything else is a 400."""
    wanted: set[int] = set()
    for item in value or ():
        raw = item.pk if isinstance(item, Attachment) else item
        if isinstance(raw, bool):
            raise ValidationError({"log_attachments": _("Pick files of this ticket.")})
        try:
            wanted.add(int(str(raw)))
        except ValueError:
            raise ValidationError({"log_attachments": _("Pick files of this ticket.")}) from None
    if len(wanted) > MAX_LOG_ATTACHMENTS:
        raise ValidationError(
            {"log_attachments": _("Pick at most %(n)d files.") % {"n": MAX_LOG_ATTACHMENTS}}
        )
    found = list(Attachment.objects.filter(ticket_id=ticket.pk, pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"log_attachments": _("Pick files of this ticket.")})
    return found


# --- writes --------------------------------------------------------------------------------


def record_plan(
    ticket_id: int,
    *,
    actor: User,
    approach: str,
    risk: str = "",
    log_references: str = "",
    log_attachments: Iterable[Any] | None = None,
    fault_triggered_at: dt.datetime | None = None,
    related_operation: str = "",
    window_start: dt.datetime | None = None,
    window_end: dt.datetime | None = None,
) -> WorkPlan:
    """Record or replace the ticket's plan (every field as given: a blank one is cleared).

    A window that is new or moved clears the requester's confirmation and asks them again;
    a plan whose window did not change keeps its confirmation.
    """
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.can_handle(ticket, actor):
            raise ActionForbidden(
                _("Only the engineer handling this ticket (or a tech lead) records its plan.")
            )
        if ticket.state not in WORK_STATES:
            raise InvalidTransition(_("A plan is recorded while the ticket is being worked on."))
        plan = WorkPlan.objects.filter(ticket=ticket).first()
        old = Window(plan.window_start, plan.window_end) if plan is not None else None
        cleaned_approach = base.choice("approach", approach, PlanApproach)
        texts = {
            "risk": base.text("risk", risk, model=WorkPlan, required=False),
            "log_references": base.text(
                "log_references", log_references, model=WorkPlan, required=False
            ),
            "related_operation": base.text(
                "related_operation", related_operation, model=WorkPlan, required=False
            ),
        }
        triggered = clean_triggered_at(fault_triggered_at, now)
        logs = clean_log_attachments(ticket, log_attachments)
        window = clean_window(window_start, window_end, now=now, old=old)
        moved = window != (old or Window(None, None))
        created = plan is None
        if plan is None:
            plan = WorkPlan(ticket=ticket, created_by=actor, created_at=now)
        plan.approach = cleaned_approach
        plan.risk = texts["risk"]
        plan.log_references = texts["log_references"]
        plan.related_operation = texts["related_operation"]
        plan.fault_triggered_at = triggered
        plan.window_start, plan.window_end = window.start, window.end
        if moved:
            plan.confirmed_at = None
            plan.confirmed_by = None
        plan.updated_at = now
        plan.save()
        plan.log_attachments.set(logs)
        ticket.last_activity_at = now
        ticket.save(update_fields=["last_activity_at"])
        event = base.record(
            ticket,
            PlanEntry.RECORDED,
            actor=actor,
            now=now,
            data={
                "approach": plan.approach,
                "risk": plan.risk,
                "window_start": _iso(plan.window_start),
                "window_end": _iso(plan.window_end),
                "window_moved": moved and window.is_set,
                "created": created,
            },
        )
        if moved and window.is_set:
            _tell(
                [ticket.requester],
                PlanNotice.WINDOW_PROPOSED,
                ticket,
                event,
                window=window,
            )
    return plan


def confirm_window(ticket_id: int, *, actor: User) -> WorkPlan:
    """The requester agrees to the proposed operation window; the engineer is told."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.is_requester_of(ticket, actor):
            raise ActionForbidden(_("Only the requester confirms the operation window."))
        if ticket.state not in WORK_STATES:
            raise InvalidTransition(
                _("The window can be confirmed only while the ticket is being worked on.")
            )
        plan = WorkPlan.objects.select_for_update(no_key=True).filter(ticket=ticket).first()
        if plan is None or plan.window_start is None or plan.window_end is None:
            raise InvalidTransition(_("No operation window has been proposed yet."))
        if plan.confirmed_at is not None:
            raise InvalidTransition(_("You have already confirmed this window."))
        if plan.window_end <= now:
            raise InvalidTransition(
                _("This window has passed; the engineer will propose another one.")
            )
        plan.confirmed_at = now
        plan.confirmed_by = actor
        plan.save(update_fields=["confirmed_at", "confirmed_by"])
        ticket.last_activity_at = now
        ticket.save(update_fields=["last_activity_at"])
        event = base.record(
            ticket,
            PlanEntry.CONFIRMED,
            actor=actor,
            now=now,
            data={
                "window_start": _iso(plan.window_start),
                "window_end": _iso(plan.window_end),
            },
        )
        # The one handling the ticket; and whoever proposed the window, if someone else.
        _tell(
            [ticket.assignee, plan.created_by],
            PlanNotice.WINDOW_CONFIRMED,
            ticket,
            event,
            window=Window(plan.window_start, plan.window_end),
        )
    return plan


def visible_fields(user: AnyUser) -> bool:
    """Whether ``user`` reads the plan's evidence (logs, trigger, operation): staff only."""
    return capabilities(user).view_internal


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def _tell(
    recipients: Iterable[User | None],
    kind: PlanNotice,
    ticket: Ticket,
    event: TicketEvent,
    *,
    window: Window,
) -> None:
    """Notification rows about the window (the e-mail shows ``…_at`` times in the
    recipient's zone)."""
    outbox.save_and_dispatch(
        outbox.build(
            recipients=[r for r in recipients if r is None or r.pk != event.actor_id],
            kind=kind,
            cause=f"event:{event.pk}",
            now=event.at,
            link=ticket_link(ticket),
            payload={
                "number": ticket.number,
                "title": ticket.title,
                "window_start_at": _iso(window.start),
                "window_end_at": _iso(window.end),
            },
        )
    )
