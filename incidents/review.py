"""The post-incident review: root cause, the timeline generated from what happened, and the
actions that keep it from happening again (owner, due date, done).

* **Reads.** ``timeline(incident)`` merges what the incident's own rows already say —
  declared, people joining the task force, the task force formed (or late), the
  commander's status notes, the restoration, each management report, tickets linked
  (counted per linking), resolved — in time order, in a fixed number of queries however
  long the incident ran. Nothing is stored twice: the review keeps only what people write.
  ``reviews_between(start, end)`` is what the weekly problem review (feedback) reads.
* **Writes.** Straight lines like every service: ``atomic()`` → lock the incident →
  visible (else 404) → permitted (403) → allowed now (409: only once the incident is
  resolved) → validate (400, the field named) → change → save. Writing the review moves a
  resolved incident to ``reviewed``.

Who: every member of staff reads a review; the incident's commander, tech leads and
admins write it and its actions; an action's owner may also mark their own action done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, User
from incidents import permissions
from incidents.choices import ClockKind, IncidentStatus, MemberRole
from incidents.models import (
    IncidentClockEvent,
    IncidentMember,
    IncidentReport,
    IncidentTicket,
    MajorIncident,
    PostIncidentReview,
    ReviewAction,
    StatusNote,
)
from incidents.services import mark_reviewed
from incidents.services.base import lock
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.selectors import users_with_permission
from tickets.services.base import text

# The review is written once the service is back for good.
REVIEWABLE = frozenset({IncidentStatus.RESOLVED, IncidentStatus.REVIEWED})
# At most this many actions per review: a review is a short list people act on.
MAX_ACTIONS = 50


class ActionNotFound(Http404):
    """No such action on this incident's review."""


# --- who -------------------------------------------------------------------------------------


def may_read(user: AnyUser) -> bool:
    """Every member of staff (engineers, tech leads, managers, admins); never a requester."""
    return permissions.can_read(user)


def may_write(incident: MajorIncident, user: AnyUser) -> bool:
    """Whoever steers the incident: its commander, any tech lead (admins pass every check)."""
    return permissions.can_steer(incident, user)


def may_mark_done(incident: MajorIncident, action: ReviewAction, user: AnyUser) -> bool:
    """Whoever writes the review, and the action's owner (for their own action)."""
    return may_write(incident, user) or (
        may_read(user) and user.is_authenticated and action.owner_id == user.pk
    )


def action_owners() -> QuerySet[User]:
    """Who may own an action: active staff (the people who read the review)."""
    return users_with_permission("view_all_tickets")


# --- the generated timeline ------------------------------------------------------------------


class Step:
    """The kinds of timeline entries, in the order they sort when two share a moment."""

    DECLARED = "declared"
    MEMBER_JOINED = "member_joined"
    TASK_FORCE_FORMED = "task_force_formed"
    TASK_FORCE_LATE = "task_force_late"
    STATUS_NOTE = "status_note"
    TICKETS_LINKED = "tickets_linked"
    RESTORED = "restored"
    REPORT = "report"
    RESOLVED = "resolved"

    ORDER = (
        DECLARED,
        MEMBER_JOINED,
        TASK_FORCE_FORMED,
        TASK_FORCE_LATE,
        STATUS_NOTE,
        TICKETS_LINKED,
        RESTORED,
        REPORT,
        RESOLVED,
    )


@dataclass(frozen=True)
class Entry:
    """One moment of the incident. ``text`` is what someone wrote, as typed (the template
    escapes it); the words around it are the template's, in the reader's language."""

    at: dt.datetime
    kind: str
    actor: str = ""
    text: str = ""
    next_steps: str = ""
    status: str = ""
    role: str = ""
    count: int = 0
    no_new_status: bool = False
    is_late: bool = False

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label) if self.status else ""

    @property
    def role_label(self) -> str:
        return str(MemberRole(self.role).label) if self.role else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor,
            "text": self.text,
            "next_steps": self.next_steps,
            "status": self.status,
            "role": self.role,
            "count": self.count,
            "no_new_status": self.no_new_status,
            "is_late": self.is_late,
        }


def timeline(incident: MajorIncident) -> list[Entry]:
    """Everything that happened to ``incident``, oldest first (ties in ``Step.ORDER``).

    Five queries whatever the incident's size: members, notes, the late task force,
    reports, and the links counted per linking (one bulk link of 50 tickets is one entry;
    links share their moment and their author). ``incident`` comes with ``declared_by``.
    """
    entries = [
        Entry(
            incident.declared_at,
            Step.DECLARED,
            actor=incident.declared_by.name,
            text=incident.impact,
        )
    ]
    members = IncidentMember.objects.filter(incident=incident).select_related("user")
    entries += [
        Entry(m.joined_at, Step.MEMBER_JOINED, actor=m.user.name, role=m.role) for m in members
    ]
    if incident.task_force_formed_at:
        entries.append(Entry(incident.task_force_formed_at, Step.TASK_FORCE_FORMED))
    late = IncidentClockEvent.objects.filter(
        incident=incident, kind=ClockKind.TASK_FORCE_LATE
    ).values_list("due_at", flat=True)
    entries += [Entry(at, Step.TASK_FORCE_LATE) for at in late]
    restored_by = ""
    for n in StatusNote.objects.filter(incident=incident).select_related("author"):
        if n.status == IncidentStatus.RESTORED and n.created_at == incident.restored_at:
            restored_by = n.author.name  # the restoration's own note: told once, below
            continue
        entries.append(
            Entry(
                n.created_at,
                Step.STATUS_NOTE,
                actor=n.author.name,
                text=n.body,
                next_steps=n.next_steps,
                status=n.status,
            )
        )
    linkings = (
        IncidentTicket.objects.filter(incident=incident)
        .values("linked_at", "linked_by__display_name", "linked_by__username")
        .annotate(count=Count("pk"))
        .order_by("linked_at")
    )
    entries += [
        Entry(
            row["linked_at"],
            Step.TICKETS_LINKED,
            actor=row["linked_by__display_name"] or row["linked_by__username"],
            count=row["count"],
        )
        for row in linkings
    ]
    if incident.restored_at:
        entries.append(
            Entry(
                incident.restored_at,
                Step.RESTORED,
                actor=restored_by,
                text=incident.restoration,
            )
        )
    reports = IncidentReport.objects.filter(incident=incident).only(
        "sent_at", "status", "no_new_status", "is_late", "incident_id"
    )
    entries += [
        Entry(
            r.sent_at,
            Step.REPORT,
            status=r.status,
            no_new_status=r.no_new_status,
            is_late=r.is_late,
        )
        for r in reports
    ]
    if incident.resolved_at:
        entries.append(Entry(incident.resolved_at, Step.RESOLVED))
    rank = {kind: i for i, kind in enumerate(Step.ORDER)}
    return sorted(entries, key=lambda e: (e.at, rank[e.kind]))


def durations(incident: MajorIncident) -> dict[str, dt.timedelta | None]:
    """Time to restore and time to resolve, from the declaration."""
    start = incident.declared_at
    return {
        "to_restore": incident.restored_at - start if incident.restored_at else None,
        "to_resolve": incident.resolved_at - start if incident.resolved_at else None,
    }


# --- reads -----------------------------------------------------------------------------------


def review_of(incident: MajorIncident) -> PostIncidentReview | None:
    """The incident's review with its actions and their owners (two queries), or None."""
    return (
        PostIncidentReview.objects.filter(incident=incident)
        .select_related("written_by")
        .prefetch_related(
            Prefetch("actions", queryset=ReviewAction.objects.select_related("owner"))
        )
        .first()
    )


def action_of(incident: MajorIncident, action_id: int) -> ReviewAction:
    """One action of the incident's review, else 404."""
    found = ReviewAction.objects.filter(pk=action_id, review__incident=incident).first()
    if found is None:
        raise ActionNotFound
    return found


def reviews_between(start: dt.datetime, end: dt.datetime) -> QuerySet[PostIncidentReview]:
    """Reviews written in ``[start, end)``, oldest first, each with its incident, author and
    actions (with their owners): what the weekly problem review goes through. Three queries
    when iterated, however many reviews. No permission scope: the caller decides who reads."""
    return (
        PostIncidentReview.objects.filter(written_at__gte=start, written_at__lt=end)
        .select_related("incident", "incident__commander", "written_by")
        .prefetch_related(
            Prefetch("actions", queryset=ReviewAction.objects.select_related("owner"))
        )
        .order_by("written_at", "pk")
    )


# --- writes ----------------------------------------------------------------------------------


def _writer(incident: MajorIncident, actor: AnyUser) -> None:
    if not may_write(incident, actor):
        raise ActionForbidden(_("Only the incident's commander or a tech lead writes its review."))


def _reviewable(incident: MajorIncident) -> None:
    if incident.status not in REVIEWABLE:
        raise InvalidTransition(
            _("The review is written once the incident is resolved (it is %(status)s now).")
            % {"status": IncidentStatus(incident.status).label}
        )


def write_review(
    incident_id: int, *, actor: User, root_cause: str, summary: str = ""
) -> PostIncidentReview:
    """Write (or rewrite) the review of a resolved incident; the incident becomes
    ``reviewed``. The review keeps who wrote it last and when."""
    with transaction.atomic():
        incident = lock(incident_id, actor)
        _writer(incident, actor)
        _reviewable(incident)
        cleaned_cause = text("root_cause", root_cause, model=PostIncidentReview)
        cleaned_summary = text("summary", summary, model=PostIncidentReview, required=False)
        now = timezone.now()
        review, _created = PostIncidentReview.objects.update_or_create(
            incident=incident,
            defaults={
                "root_cause": cleaned_cause,
                "summary": cleaned_summary,
                "written_by": actor,
                "written_at": now,
            },
        )
        if incident.status == IncidentStatus.RESOLVED:
            # The status belongs to the incidents services: resolved → reviewed there.
            mark_reviewed(incident.pk, actor=actor)
    return review


def _owner(value: User | str | None) -> User:
    """A member of staff, named by the user (pages) or their username (API)."""
    found = None
    if isinstance(value, User):
        found = action_owners().filter(pk=value.pk).first()
    elif isinstance(value, str) and value.strip() and "\x00" not in value:
        found = action_owners().filter(username=value.strip()).first()
    if found is None:
        raise ValidationError({"owner": _("Choose a member of staff as the owner.")})
    return found


def _due_on(value: Any, *, before: dt.date | None = None) -> dt.date:
    """A date not yet past in the reader's zone (an unchanged date may stay as it was)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({"due_on": _("Give the date the action is due.")})
    if value < timezone.localdate() and value != before:
        raise ValidationError({"due_on": _("The due date is already past.")})
    return value


def _review_for_actions(incident: MajorIncident) -> PostIncidentReview:
    review = PostIncidentReview.objects.filter(incident=incident).first()
    if review is None:
        raise InvalidTransition(_("Write the root cause first; the actions follow from it."))
    return review


def add_action(
    incident_id: int, *, actor: User, description: str, owner: User | str, due_on: dt.date
) -> ReviewAction:
    """An action with its owner and due date on the incident's review."""
    with transaction.atomic():
        incident = lock(incident_id, actor)
        _writer(incident, actor)
        _reviewable(incident)
        review = _review_for_actions(incident)
        if ReviewAction.objects.filter(review=review).count() >= MAX_ACTIONS:
            raise ValidationError(
                {"description": _("At most %(max)d actions per review.") % {"max": MAX_ACTIONS}}
            )
        return ReviewAction.objects.create(
            review=review,
            description=text("description", description, model=ReviewAction, single_line=True),
            owner=_owner(owner),
            due_on=_due_on(due_on),
        )


EDITABLE = ("description", "owner", "due_on", "done")


def update_action(
    incident_id: int, action_id: int, *, actor: User, changes: Mapping[str, Any]
) -> ReviewAction:
    """Change what is given of an action: ``description``, ``owner``, ``due_on`` (writers of
    the review), ``done`` (True/False; also the action's owner)."""
    with transaction.atomic():
        incident = lock(incident_id, actor)
        action = (
            ReviewAction.objects.select_for_update(no_key=True)
            .filter(pk=action_id, review__incident=incident)
            .first()
        )
        if action is None:
            raise ActionNotFound
        only_done = set(changes) <= {"done"}
        if not (
            may_mark_done(incident, action, actor) if only_done else may_write(incident, actor)
        ):
            raise ActionForbidden(
                _("Only the incident's commander or a tech lead changes its review's actions.")
            )
        _reviewable(incident)
        if "description" in changes:
            action.description = text(
                "description", changes["description"], model=ReviewAction, single_line=True
            )
        if "owner" in changes:
            action.owner = _owner(changes["owner"])
        if "due_on" in changes:
            action.due_on = _due_on(changes["due_on"], before=action.due_on)
        if "done" in changes:
            done = changes["done"]
            if not isinstance(done, bool):
                raise ValidationError({"done": _("Say whether the action is done: true or false.")})
            if done and action.done_at is None:
                action.done_at = timezone.now()
            elif not done:
                action.done_at = None
        action.save()
    return action
