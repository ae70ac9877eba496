"""Scoring an engineer, and what a pass adds to their skills.

An assessment is one score (0–100) for a kind (technical, service; drills are scored on the
drill, ``training.services.drills``) with notes, by a tech lead, of someone else. Tied to a
session it is of one of its attendees and passes at the session's pass mark; a pass raises
each skill the session lists to its level through ``people.services.skills.grant`` (never
lowering one), with the source ``training: <title>`` that the engineer's skills show. What
was raised is kept on the assessment.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from people.models import Skill
from people.services.skills import grant
from tickets.errors import ActionForbidden
from tickets.services import base
from training import permissions, selectors
from training.choices import DEFAULT_PASS_MARK, AssessmentKind
from training.models import Assessment, Attendance, SessionSkill, TrainingSession
from training.services.checks import number, person

SOURCE_MAX = 200  # people.Skill.source


def _score(value: Any) -> int:
    return number("score", value, low=0, high=100)


def skill_source(session: TrainingSession) -> str:
    """What the engineer's skills say a level came from."""
    return (_("training: %(title)s") % {"title": session.title})[:SOURCE_MAX]


def new_assessment(
    *,
    actor: User,
    engineer: User,
    kind: str,
    score: int,
    notes: str,
    session: TrainingSession | None,
) -> Assessment:
    """Save a checked assessment and grant the session's skills on a pass (inside the
    caller's transaction)."""
    now = timezone.now()
    pass_mark = session.pass_mark if session is not None else DEFAULT_PASS_MARK
    assessment = Assessment.objects.create(
        engineer=engineer,
        kind=kind,
        score=score,
        notes=notes,
        session=session,
        passed=score >= pass_mark,
        assessed_by=actor,
        assessed_at=now,
    )
    if assessment.passed and session is not None:
        assessment.skills_granted = _grant_skills(session, engineer, actor)
        if assessment.skills_granted:
            assessment.save(update_fields=["skills_granted"])
    return assessment


def _grant_skills(session: TrainingSession, engineer: User, actor: User) -> list[dict[str, Any]]:
    wanted = list(SessionSkill.objects.filter(session=session).select_related("category"))
    before = dict(
        Skill.objects.filter(
            engineer=engineer, category_id__in=[w.category_id for w in wanted]
        ).values_list("category_id", "level")
    )
    raised = []
    source = skill_source(session)
    for want in wanted:
        skill = grant(engineer, want.category, want.level, actor=actor, source=source)
        if skill.level > before.get(want.category_id, 0):
            raised.append({"category": want.category.slug, "level": skill.level})
    return raised


@transaction.atomic
def record_assessment(
    *,
    actor: User,
    engineer: User | str | None,
    kind: str | None = None,
    score: Any = None,
    notes: str | None = "",
    session: TrainingSession | int | None = None,
) -> Assessment:
    """Score ``engineer``. With a ``session`` (an id or the session) the kind defaults to
    the session's and the engineer must be one of its attendees."""
    if not permissions.can_manage(actor):
        raise ActionForbidden(_("Only tech leads record assessments."))
    found: TrainingSession | None = None
    if session is not None:
        session_id = session.pk if isinstance(session, TrainingSession) else session
        found = (
            selectors.sessions_visible_to(actor)
            .select_for_update(no_key=True)
            .filter(pk=session_id)
            .first()
        )
        if found is None:
            raise ValidationError({"session": _("No such training session.")})
        if found.is_cancelled:
            raise ValidationError({"session": _("This training is cancelled.")})
    who = person("engineer", engineer, selectors.attendee_choices())
    if who.pk == actor.pk:
        raise ActionForbidden(_("Someone else assesses you."))
    kind = kind or (found.kind if found is not None else None)
    if not kind:
        raise ValidationError({"kind": _("This field is required.")})
    if kind == AssessmentKind.DRILL:
        raise ValidationError({"kind": _("A drill is scored on the drill itself.")})
    kind = base.choice("kind", kind, AssessmentKind)
    if found is not None and not Attendance.objects.filter(session=found, engineer=who).exists():
        raise ValidationError({"engineer": _("Not an attendee of this session.")})
    return new_assessment(
        actor=actor,
        engineer=who,
        kind=kind,
        score=_score(score),
        notes=base.text("notes", notes, model=Assessment, required=False),
        session=found,
    )
