"""Writes of the weekly problem review: generate (or refresh) a week's pack, record root
causes and knowledge-base updates, add and change improvement actions, close.

Straight lines like every service: permitted (403) → ``atomic()`` → lock the review row →
allowed now (409: a closed review is read-only) → validate (400, the field named) →
change → save. Generating builds the pack before the transaction (it reads a few thousand
tickets), then writes it under the row lock: two generations of one week (beat and a tech
lead's button) leave one review with the latest pack.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from reports.models import ActionStatus, ImprovementAction, ProblemReview, ReviewState
from reports.review import access, pack
from reports.review.periods import current_week, desk_today
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.selectors import users_with_permission
from tickets.services.base import text

# A review is a short list people act on.
MAX_ACTIONS = 50


class ReviewNotFound(Http404):
    """No such review (or action on it)."""


def action_owners() -> QuerySet[User]:
    """Who may own an action: active staff (the people who read tickets)."""
    return users_with_permission("view_all_tickets")


def _editor(actor: User) -> None:
    if not access.may_edit_reviews(actor):
        raise ActionForbidden(_("Only tech leads generate and write the weekly review."))


def _lock(review_id: int) -> ProblemReview:
    try:
        return ProblemReview.objects.select_for_update(no_key=True).get(pk=review_id)
    except ProblemReview.DoesNotExist:
        raise ReviewNotFound from None


def _open(review: ProblemReview) -> None:
    if not review.is_open:
        raise InvalidTransition(_("This review is closed: it reads as it was closed."))


def generate_review(
    week_start: dt.date, *, actor: User | None, now: dt.datetime | None = None
) -> ProblemReview:
    """The review of the week starting ``week_start`` (a Monday, this week or earlier),
    created or with its pack refreshed; ``actor`` is ``None`` for beat. A closed review is
    left as it is (409 for a person, quietly for beat)."""
    now = now or timezone.now()
    if actor is not None:
        _editor(actor)
    if week_start.weekday() != 0:
        raise ValidationError({"week": _("A week starts on a Monday.")})
    if week_start > current_week(now):
        raise ValidationError({"week": _("This week has not started yet.")})
    built = pack.build(week_start, now=now)
    with transaction.atomic():
        review = (
            ProblemReview.objects.select_for_update(no_key=True)
            .filter(week_start=week_start)
            .first()
        )
        if review is None:
            try:
                with transaction.atomic():
                    return ProblemReview.objects.create(
                        week_start=week_start, pack=built, generated_at=now, generated_by=actor
                    )
            except IntegrityError:  # another generation created it since: refresh that one
                review = ProblemReview.objects.select_for_update(no_key=True).get(
                    week_start=week_start
                )
        if not review.is_open:
            if actor is None:
                return review
            raise InvalidTransition(_("This review is closed: its pack is kept as it was."))
        review.pack = built
        review.generated_at = now
        review.generated_by = actor
        review.save(update_fields=["pack", "generated_at", "generated_by"])
    return review


def write_review(
    review_id: int, *, actor: User, root_causes: str, kb_updates: str
) -> ProblemReview:
    """The root causes found and the knowledge-base updates made (both may stay empty)."""
    _editor(actor)
    with transaction.atomic():
        review = _lock(review_id)
        _open(review)
        review.root_causes = text("root_causes", root_causes, model=ProblemReview, required=False)
        review.kb_updates = text("kb_updates", kb_updates, model=ProblemReview, required=False)
        review.updated_at = timezone.now()
        review.updated_by = actor
        review.save(update_fields=["root_causes", "kb_updates", "updated_at", "updated_by"])
    return review


def close_review(review_id: int, *, actor: User) -> ProblemReview:
    """Closed: read-only from now on; its open actions still carry over."""
    _editor(actor)
    with transaction.atomic():
        review = _lock(review_id)
        _open(review)
        review.state = ReviewState.CLOSED
        review.closed_at = timezone.now()
        review.closed_by = actor
        review.save(update_fields=["state", "closed_at", "closed_by"])
    return review


def _owner(value: Any) -> User:
    found = None
    if isinstance(value, User):
        found = action_owners().filter(pk=value.pk).first()
    elif value not in (None, ""):
        found = action_owners().filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise ValidationError({"owner": _("Choose a member of staff.")})
    return found


def _due(value: Any, *, previous: dt.date | None = None) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({"due_on": _("Give a date.")})
    if value < desk_today() and value != previous:
        raise ValidationError({"due_on": _("Give a date from today on.")})
    return value


def add_action(
    review_id: int, *, actor: User, description: str, owner: Any, due_on: Any
) -> ImprovementAction:
    _editor(actor)
    with transaction.atomic():
        review = _lock(review_id)
        _open(review)
        if review.actions.count() >= MAX_ACTIONS:
            raise ValidationError(
                {"description": _("A review holds at most %(n)d actions.") % {"n": MAX_ACTIONS}}
            )
        now = timezone.now()
        return ImprovementAction.objects.create(
            review=review,
            description=text("description", description, model=ImprovementAction),
            owner=_owner(owner),
            due_on=_due(due_on),
            created_at=now,
            created_by=actor,
            updated_at=now,
        )


def action_on(review: ProblemReview, action_id: int) -> ImprovementAction:
    """An action shown on ``review``: its own, or an earlier review's (carried over)."""
    found = (
        ImprovementAction.objects.select_related("review", "owner")
        .filter(pk=action_id, review__week_start__lte=review.week_start)
        .first()
    )
    if found is None:
        raise ReviewNotFound
    return found


def update_action(
    review_id: int, action_id: int, *, actor: User, changes: dict[str, Any]
) -> ImprovementAction:
    """Change an action shown on the review ``review_id`` (its own or carried over): any of
    ``description``, ``owner``, ``due_on``, ``status``. The action is one row, so the change
    shows on every review that lists it. A closed review's actions still change (that is
    how a carried-over action ends); a new action needs an open review."""
    _editor(actor)
    with transaction.atomic():
        page_review = ProblemReview.objects.filter(pk=review_id).first()
        if page_review is None:
            raise ReviewNotFound
        action = action_on(page_review, action_id)
        action = ImprovementAction.objects.select_for_update(no_key=True).get(pk=action.pk)
        fields = []
        if "description" in changes:
            action.description = text(
                "description", changes["description"], model=ImprovementAction
            )
            fields.append("description")
        if "owner" in changes:
            action.owner = _owner(changes["owner"])
            fields.append("owner")
        if "due_on" in changes:
            action.due_on = _due(changes["due_on"], previous=action.due_on)
            fields.append("due_on")
        if "status" in changes:
            if changes["status"] not in ActionStatus.values:
                raise ValidationError({"status": _("Choose open, done or dropped.")})
            action.status = changes["status"]
            fields.append("status")
        action.updated_at = timezone.now()
        action.save(update_fields=[*fields, "updated_at"])
    return action
