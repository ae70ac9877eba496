"""The ticket, its conversation, files and append-only timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import User
from tickets import permissions
from tickets.choices import (
    OPEN_STATES,
    Channel,
    ClosedAs,
    EventKind,
    Impact,
    LinkKind,
    MessageKind,
    Priority,
    RootCauseType,
    TicketState,
    Urgency,
    WaitingOn,
)
from tickets.limits import TEXT_MAX
from tickets.permissions import TICKET_PERMISSIONS

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser, PermissionsMixin

    from accounts.models import AnyUser

    # What django-fsm's stub takes as ``permission=``: a rule over any model and any user.
    FsmPermission = Callable[[models.Model, AbstractUser | AnonymousUser | PermissionsMixin], bool]

S = TicketState


def _ticket_rule(rule: Callable[[Ticket, AnyUser], bool]) -> FsmPermission:
    """A rule of ``tickets.permissions`` as a transition's ``permission=``, unchanged.

    django-fsm's stub cannot say "a rule over the model that declares the transition":
    it asks for one over any model. django-fsm calls it only with the ticket whose
    transition is checked and the user its caller passed, so the cast is safe.
    """
    return cast("FsmPermission", rule)


def _is_reopenable_now(ticket: models.Model) -> bool:
    """The reopen window (``Ticket.reopen_until``) has not passed: a condition of ``reopen``
    (typed over any model, as django-fsm's stub asks of a condition)."""
    return isinstance(ticket, Ticket) and ticket.is_reopenable_now


class Category(models.Model):
    """A fault category (hardware, software, network …) with optional sub-categories."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_security = models.BooleanField(
        _("security incident"),
        default=False,
        help_text=_("Tickets in a security category are always high priority."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = get_language() or ""
        return self.name_en if language.startswith("en") else self.name

    @property
    def is_security_incident(self) -> bool:
        return self.is_security or (self.parent is not None and self.parent.is_security)


class TicketCounter(models.Model):
    """Per-day sequence behind human ticket numbers (``IT-20261124-0042``)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Ticket(FSMModelMixin, models.Model):
    """A reported fault or request and its whole life.

    Invariants: ``state`` changes only through the transition methods below,
    called by ``tickets.services``; every change appends a ``TicketEvent``.
    ``priority`` is derived from impact x urgency unless ``priority_reason``
    records why it was overridden.
    """

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("symptom"), max_length=TEXT_MAX)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_tickets",
        verbose_name=_("logged by"),
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    site = models.ForeignKey(
        "accounts.Site", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("category")
    )
    asset = models.ForeignKey(
        "assets.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("asset"),
    )
    affected_system = models.CharField(
        _("device or system (model, version)"), max_length=200, blank=True
    )
    occurred_at = models.DateTimeField(_("started at"), null=True, blank=True)
    scenario = models.CharField(_("while doing"), max_length=500, blank=True)
    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    priority_reason = models.CharField(_("priority override reason"), max_length=500, blank=True)

    state = FSMField(_("state"), default=S.SUBMITTED, choices=TicketState.choices, protected=True)
    closed_as = models.CharField(
        _("closed as"), max_length=16, choices=ClosedAs.choices, blank=True, default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    # Why automatic assignment left the ticket to nobody: a code whose label the assigner
    # registered (``hooks.assign_note_label``); shown while nobody has the ticket.
    assign_note = models.CharField(
        _("why not assigned"), max_length=32, blank=True, default="", editable=False
    )
    waiting_on = models.CharField(
        _("waiting on"), max_length=16, choices=WaitingOn.choices, default=WaitingOn.NONE
    )

    root_cause_type = models.CharField(
        _("root cause type"), max_length=16, choices=RootCauseType.choices, blank=True
    )
    root_cause = models.TextField(_("root cause"), max_length=TEXT_MAX, blank=True)
    impact_scope = models.CharField(_("impact scope"), max_length=500, blank=True)
    solution_plan = models.TextField(_("solution plan"), max_length=TEXT_MAX, blank=True)
    solution = models.TextField(_("solution"), max_length=TEXT_MAX, blank=True)
    verification_note = models.TextField(_("verification note"), max_length=TEXT_MAX, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    submitted_at = models.DateTimeField(_("submitted at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    diagnosed_at = models.DateTimeField(_("diagnosed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))

    # SLA clocks (see tickets/sla.py). Deadlines are stored, computed by services on
    # submit, priority change, pause and resume; the sweep reads sla_next_check_at.
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(_("response overdue since"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(
        _("resolution overdue since"), null=True, blank=True
    )
    sla_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    held_seconds = models.PositiveIntegerField(_("time on hold (working seconds)"), default=0)
    sla_next_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The next rung of a high-priority ticket's escalation ladder (tickets/escalation.py),
    # while nobody has accepted it; the ladder's sweep reads it.
    escalation_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Working minutes on the ticket's SLA calendars (tickets/clocks.py), what the reports
    # read: submission → acceptance on the response clock's calendar; submission → the
    # last resolution on the resolution clock's, time on hold left out. Empty until then.
    response_minutes = models.PositiveIntegerField(
        _("response time (working minutes)"), null=True, blank=True, editable=False
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution time (working minutes)"), null=True, blank=True, editable=False
    )
    # The deadline that matters now (response while unaccepted, then resolution unless
    # paused); the queue sorts on it through an index.
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)

    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # Full-text search (tickets/search.py keeps them): jieba-segmented words in the
    # 'simple' configuration. ``search_document`` holds what the requester may read
    # (number, title, description, public replies, requester, asset); ``search_notes``
    # holds the internal notes, matched for staff only.
    search_document = SearchVectorField(null=True, editable=False)
    search_notes = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        # A copy, typed as Django's option (names may be lazy); the declaration stays str.
        permissions = list(TICKET_PERMISSIONS)
        indexes = [
            models.Index(
                fields=["-submitted_at"],
                name="tickets_open_by_submitted",
                condition=Q(state__in=sorted(OPEN_STATES)),
            ),
            # Every list without a filter (the API list, a manager's view) is newest first.
            models.Index(fields=["-submitted_at"], name="tickets_by_submitted"),
            models.Index(fields=["requester", "-submitted_at"], name="tickets_by_requester"),
            models.Index(fields=["assignee", "state"], name="tickets_by_assignee"),
            models.Index(fields=["state", "priority"], name="tickets_by_state_priority"),
            models.Index(
                fields=["sla_next_check_at"],
                name="tickets_sla_due",
                condition=Q(sla_next_check_at__isnull=False),
            ),
            models.Index(
                fields=["escalation_check_at"],
                name="tickets_escalation_due",
                condition=Q(escalation_check_at__isnull=False),
            ),
            models.Index(
                F("next_due_at").asc(nulls_last=True),
                "submitted_at",
                name="tickets_queue_by_due",
                condition=Q(state__in=sorted(OPEN_STATES)),
            ),
            # The queue's tab counts in one index-only scan over the open tickets.
            models.Index(
                fields=["assignee", "waiting_on"],
                name="tickets_open_tabs",
                condition=Q(state__in=sorted(OPEN_STATES)),
            ),
            # The same counts, and the verified ones "to close", for staff limited to some
            # sites (R7.2): index-only scans that start at the site.
            models.Index(
                fields=["site", "assignee", "waiting_on"],
                name="tickets_site_open_tabs",
                condition=Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(fields=["site", "state"], name="tickets_by_site_state"),
            GinIndex(fields=["search_document"], name="tickets_search_document"),
            GinIndex(fields=["search_notes"], name="tickets_search_notes"),
            # Partial numbers ("0001") and words inside a title, by trigram.
            GinIndex(fields=["number"], opclasses=["gin_trgm_ops"], name="tickets_number_trgm"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="tickets_title_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_waiting_on_requester(self) -> bool:
        return self.waiting_on == WaitingOn.REQUESTER

    # --- transitions: they change fields on self only; services do the rest ---

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.ACCEPTED,
        permission=_ticket_rule(permissions.can_work),
    )
    def accept(self, *, assignee: User, now: dt.datetime) -> None:
        self.assignee = assignee
        self.accepted_at = now

    @transition(
        field=state,
        source=S.ACCEPTED,
        target=S.DIAGNOSED,
        permission=_ticket_rule(permissions.can_handle),
    )
    def diagnose(
        self,
        *,
        root_cause_type: str,
        root_cause: str,
        impact_scope: str,
        solution_plan: str,
        now: dt.datetime,
    ) -> None:
        self.root_cause_type = root_cause_type
        self.root_cause = root_cause
        self.impact_scope = impact_scope
        self.solution_plan = solution_plan
        self.diagnosed_at = now

    @transition(
        field=state,
        source=S.DIAGNOSED,
        target=S.RESOLVED,
        permission=_ticket_rule(permissions.can_handle),
    )
    def resolve(self, *, solution: str, now: dt.datetime) -> None:
        self.solution = solution
        self.resolved_at = now
        self.waiting_on = WaitingOn.NONE

    @transition(
        field=state,
        source=S.RESOLVED,
        target=S.VERIFIED,
        permission=_ticket_rule(permissions.can_verify),
    )
    def verify(self, *, verification_note: str, now: dt.datetime) -> None:
        self.verification_note = verification_note
        self.verified_at = now

    @transition(
        field=state,
        source=S.RESOLVED,
        target=S.DIAGNOSED,
        permission=_ticket_rule(permissions.can_reject_fix),
    )
    def reject_fix(self, *, now: dt.datetime) -> None:
        self.reopen_count += 1
        self.resolved_at = None
        self.resolution_minutes = None

    @transition(
        field=state,
        source=S.VERIFIED,
        target=S.CLOSED,
        permission=_ticket_rule(permissions.can_close),
    )
    def close(self, *, now: dt.datetime) -> None:
        self.closed_as = ClosedAs.COMPLETED
        self.closed_at = now

    @transition(
        field=state,
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.CLOSED,
        permission=_ticket_rule(permissions.can_cancel),
    )
    def cancel(self, *, reason: str, now: dt.datetime) -> None:
        self.closed_as = ClosedAs.CANCELLED
        self.cancel_reason = reason
        self.closed_at = now
        self.waiting_on = WaitingOn.NONE

    @transition(
        field=state,
        source=sorted(OPEN_STATES),
        target=S.CLOSED,
        permission=_ticket_rule(permissions.can_work),
    )
    def close_as_duplicate(self, *, survivor: Ticket, now: dt.datetime) -> None:
        """Merged into ``survivor`` (the service moves the conversation over)."""
        self.closed_as = ClosedAs.DUPLICATE
        self.duplicate_of = survivor
        self.closed_at = now
        self.waiting_on = WaitingOn.NONE

    @transition(
        field=state,
        source=[S.VERIFIED, S.CLOSED],
        target=S.DIAGNOSED,
        permission=_ticket_rule(permissions.can_reopen),
        conditions=[_is_reopenable_now],
    )
    def reopen(self, *, now: dt.datetime) -> None:
        """Back to work with its history: the fix did not last (counted like a rejected fix)."""
        self.reopen_count += 1
        self.closed_as = ClosedAs.NONE
        self.closed_at = None
        self.verified_at = None
        self.resolved_at = None
        self.resolution_minutes = None
        self.waiting_on = WaitingOn.NONE

    @property
    def reopen_until(self) -> dt.datetime | None:
        """Until when a finished ticket may be reopened: ``TICKETS_REOPEN_DAYS`` calendar days
        after it was closed as completed (or verified, while not yet closed); ``None`` for a
        ticket still open, cancelled or merged, which never reopens."""
        if self.state == S.CLOSED and self.closed_as == ClosedAs.COMPLETED:
            finished = self.closed_at
        elif self.state == S.VERIFIED:
            finished = self.verified_at
        else:
            return None
        if finished is None:
            return None
        return finished + dt.timedelta(days=settings.TICKETS_REOPEN_DAYS)

    @property
    def is_reopenable_now(self) -> bool:
        until = self.reopen_until
        return until is not None and timezone.now() <= until


class Message(models.Model):
    """A public reply (seen by the requester) or an internal note (staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=MessageKind.choices, default=MessageKind.PUBLIC)
    body = models.TextField(_("message"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_message_by_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.pk}"

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.INTERNAL


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT with no public URL: served only by the attachment view."""

    def url(self, name: str | None) -> str:
        raise NotImplementedError("attachments have no public URL")


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name under a date folder; the user's file name is kept only in the row."""
    suffix = PurePath(instance.original_name).suffix.lower()[:10]
    safe_suffix = suffix if suffix[1:].isalnum() else ""
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{safe_suffix}.bin"


class Attachment(models.Model):
    """An uploaded file. Stored privately under a random name, always served as a download."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(storage=PrivateStorage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="tickets_attach_by_ticket"),
            # A person's uploads of the day (the daily quota, checked on every upload).
            models.Index(fields=["uploaded_by", "created_at"], name="tickets_attach_by_uploader"),
        ]

    def __str__(self) -> str:
        return self.original_name


class TicketEvent(models.Model):
    """Append-only timeline: audit trail, history and (later) SLA explanation in one.

    Rows are only ever inserted by services; nothing updates or deletes them.
    ``is_internal`` events (internal notes) are never shown to requesters.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    is_internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["ticket", "at"], name="tickets_event_by_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"


class SlaEventKind(models.TextChoices):
    RESPONSE_WARNING = "response_warning", _("Response due soon")
    RESPONSE_BREACH = "response_breach", _("Response overdue")
    RESOLUTION_WARNING = "resolution_warning", _("Resolution due soon")
    RESOLUTION_BREACH = "resolution_breach", _("Resolution overdue")
    # The rungs of a high-priority ticket's escalation ladder (tickets/escalation.py).
    ESCALATION_TECH_LEAD = "escalation_tech_lead", _("Escalated to the tech leads")
    ESCALATION_MANAGER = "escalation_manager", _("Escalated to the managers")


class SlaEvent(models.Model):
    """A warning or breach the sweep found. Unique per ticket, kind and due time, so a
    sweep that runs twice (or on two hosts) records it once."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_events"
    )
    kind = models.CharField(max_length=24, choices=SlaEventKind.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "due_at"], name="tickets_slaevent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}@{self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_breach(self) -> bool:
        return self.kind in (SlaEventKind.RESPONSE_BREACH, SlaEventKind.RESOLUTION_BREACH)


class TicketLink(models.Model):
    """Two tickets about the same thing, shown on both (a follow-up points to its origin)."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="tickets_link_once"),
            models.CheckConstraint(
                condition=~Q(from_ticket=F("to_ticket")), name="tickets_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id}->{self.to_ticket_id} ({self.kind})"


class Watcher(models.Model):
    """Someone who follows a ticket and hears its public updates (CC)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watched_tickets"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="tickets_watch_once")
        ]
        indexes = [models.Index(fields=["user"], name="tickets_watcher_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.ticket_id}"


class CannedReply(models.Model):
    """A reusable reply text; ``owner`` empty means shared with every engineer."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        indexes = [models.Index(fields=["owner", "title"], name="tickets_canned_by_owner")]

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    """A named set of queue filters, shown as its owner's own tab of the queue."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="tickets_saved_view_once")
        ]

    def __str__(self) -> str:
        return self.name


__all__ = [
    "Attachment",
    "CannedReply",
    "Category",
    "Message",
    "SlaEvent",
    "SlaEventKind",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "TicketLink",
    "SavedView",
    "Watcher",
]
