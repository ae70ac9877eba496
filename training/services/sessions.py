"""Planning a training session, changing it, cancelling it, and recording who came.

Tech leads (``manage_training``) plan, edit and cancel sessions; the trainer or a tech lead
records attendance once the session has begun. Each service: atomic → lock → visible →
permitted → allowed now → validate → change → save → notify. New attendees hear of the
session; when it moves to another time, or is cancelled, its attendees and trainer hear of
that. A cancelled session is kept (a state, never a delete) and takes no more changes,
attendance or assessments (409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge.selectors import articles_visible_to
from people.choices import SkillLevel
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Category
from tickets.services import base
from training import notify, permissions, selectors
from training.choices import RECORDED, AttendanceStatus, TrainingKind
from training.errors import SessionNotFound
from training.models import Assessment, Attendance, SessionSkill, TrainingSession
from training.services.checks import moment, number, people, person

MAX_ATTENDEES = 200
MAX_ARTICLES = 20
MAX_SKILLS = 8
DURATION = (15, 24 * 60)  # minutes


@dataclass(frozen=True)
class SkillWanted:
    """A skill a session adds on passing: a category (or its slug) at a level."""

    category: Category | str
    level: int


def _skills(given: Iterable[SkillWanted | Mapping[str, Any]]) -> list[tuple[Category, int]]:
    rows = [
        g if isinstance(g, SkillWanted) else SkillWanted(g["category"], g["level"]) for g in given
    ]
    if len(rows) > MAX_SKILLS:
        raise ValidationError({"skills": _("At most %(n)d skills.") % {"n": MAX_SKILLS}})
    slugs = [r.category.slug if isinstance(r.category, Category) else str(r.category) for r in rows]
    found = {c.slug: c for c in Category.objects.filter(slug__in=slugs, is_active=True)}
    out: list[tuple[Category, int]] = []
    for slug, row in zip(slugs, rows, strict=True):
        if slug not in found:
            raise ValidationError({"skills": _("Unknown category: %(slug)s.") % {"slug": slug}})
        if row.level not in SkillLevel.values:
            raise ValidationError({"skills": _("A level is 1, 2 or 3.")})
        out.append((found[slug], int(row.level)))
    if len({c.pk for c, _level in out}) != len(out):
        raise ValidationError({"skills": _("Each category once.")})
    return out


def _articles(actor: User, ids: Iterable[int | str]) -> list[int]:
    wanted: list[int] = []
    for raw in ids:
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationError({"articles": _("Give article numbers.")}) from None
    wanted = list(dict.fromkeys(wanted))
    if len(wanted) > MAX_ARTICLES:
        raise ValidationError({"articles": _("At most %(n)d articles.") % {"n": MAX_ARTICLES}})
    readable = set(articles_visible_to(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [str(pk) for pk in wanted if pk not in readable]
    if missing:
        raise ValidationError(
            {"articles": _("No such article: %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    return wanted


def _cleaned(actor: User, data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The given fields, checked (only those present: an edit may change a few)."""
    out: dict[str, Any] = {}
    model = TrainingSession
    if "title" in data:
        out["title"] = base.text("title", data["title"], model=model, single_line=True)
    if "kind" in data:
        out["kind"] = base.choice("kind", data["kind"], TrainingKind)
    if "starts_at" in data:
        out["starts_at"] = moment("starts_at", data["starts_at"], now=now)
    if "duration_minutes" in data:
        out["duration_minutes"] = number(
            "duration_minutes", data["duration_minutes"], low=DURATION[0], high=DURATION[1]
        )
    if "location" in data:
        out["location"] = base.text(
            "location", data["location"], model=model, required=False, single_line=True
        )
    if "description" in data:
        out["description"] = base.text(
            "description", data["description"], model=model, required=False
        )
    if "pass_mark" in data:
        out["pass_mark"] = number("pass_mark", data["pass_mark"], low=0, high=100)
    if "trainer" in data:
        out["trainer"] = person("trainer", data["trainer"], selectors.trainer_choices())
    if "attendees" in data:
        out["attendees"] = people(
            "attendees", data["attendees"], selectors.attendee_choices(), limit=MAX_ATTENDEES
        )
        if not out["attendees"]:
            raise ValidationError({"attendees": _("Invite at least one attendee.")})
    if "articles" in data:
        out["articles"] = _articles(actor, data["articles"] or [])
    if "skills" in data:
        out["skills"] = _skills(data["skills"] or [])
    return out


REQUIRED = ("title", "kind", "starts_at", "trainer", "attendees")


@transaction.atomic
def create_session(*, actor: User, **data: Any) -> TrainingSession:
    """Plan a session: ``title``, ``kind``, ``starts_at``, ``trainer``, ``attendees``
    (required), ``duration_minutes``, ``location``, ``description``, ``pass_mark``,
    ``articles`` (ids), ``skills`` (``SkillWanted`` or ``{"category", "level"}``)."""
    if not permissions.can_manage(actor):
        raise ActionForbidden(_("Only tech leads plan training."))
    for name in REQUIRED:
        if data.get(name) in (None, "", []):
            raise ValidationError({name: _("This field is required.")})
    now = timezone.now()
    fields = _cleaned(actor, data, now)
    attendees, articles, skills = (
        fields.pop("attendees"),
        fields.pop("articles", []),
        fields.pop("skills", []),
    )
    session = TrainingSession.objects.create(
        **fields, created_by=actor, created_at=now, updated_at=now
    )
    Attendance.objects.bulk_create(Attendance(session=session, engineer=p) for p in attendees)
    session.articles.set(articles)
    SessionSkill.objects.bulk_create(
        SessionSkill(session=session, category=c, level=level) for c, level in skills
    )
    notify.invited(session, [p for p in attendees if p.pk != actor.pk], now=now)
    return session


def _lock(session_id: int, actor: User) -> TrainingSession:
    session = (
        selectors.sessions_visible_to(actor)
        .select_for_update(no_key=True)
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise SessionNotFound
    return session


def _not_cancelled(session: TrainingSession) -> None:
    if session.is_cancelled:
        raise InvalidTransition(_("This training is cancelled."))


def _told(session: TrainingSession, actor: User, *, besides: Iterable[int] = ()) -> list[User]:
    """Who hears that the session moved or was cancelled: its attendees and its trainer,
    not the one who did it, nor ``besides`` (told otherwise)."""
    skip = {actor.pk, *besides}
    people = [
        a.engineer for a in Attendance.objects.filter(session=session).select_related("engineer")
    ]
    found = {p.pk: p for p in [*people, session.trainer] if p.pk not in skip}
    return list(found.values())


@transaction.atomic
def update_session(session_id: int, *, actor: User, changes: Mapping[str, Any]) -> TrainingSession:
    """Change what is given. Attendees are the whole new list: one whose attendance was
    recorded, or who was assessed for this session, stays (400 on ``attendees``). A new
    start time is news for the attendees and the trainer (the newly invited get their
    invitation, with the new time, instead)."""
    session = _lock(session_id, actor)
    if not permissions.can_manage(actor):
        raise ActionForbidden(_("Only tech leads change training sessions."))
    _not_cancelled(session)
    was = session.starts_at
    now = timezone.now()
    fields = _cleaned(actor, changes, now)
    attendees: Sequence[User] | None = fields.pop("attendees", None)
    articles: list[int] | None = fields.pop("articles", None)
    skills: list[tuple[Category, int]] | None = fields.pop("skills", None)
    added: list[User] = []
    if attendees is not None:
        added = _replace_attendees(session, attendees)
    for name, value in fields.items():
        setattr(session, name, value)
    session.updated_at = now
    session.save()
    if articles is not None:
        session.articles.set(articles)
    if skills is not None:
        SessionSkill.objects.filter(session=session).delete()
        SessionSkill.objects.bulk_create(
            SessionSkill(session=session, category=c, level=level) for c, level in skills
        )
    notify.invited(session, [p for p in added if p.pk != actor.pk], now=now)
    if session.starts_at != was:
        notify.moved(session, _told(session, actor, besides=[p.pk for p in added]), now=now)
    return session


@transaction.atomic
def cancel_session(session_id: int, *, actor: User, reason: Any = "") -> TrainingSession:
    """Cancel a session (tech leads), with an optional reason: it stays on the calendar,
    marked cancelled, and its attendees and trainer are told. Not once attendance or an
    assessment is recorded for it: it took place (409)."""
    session = _lock(session_id, actor)
    if not permissions.can_manage(actor):
        raise ActionForbidden(_("Only tech leads cancel training sessions."))
    _not_cancelled(session)
    took_place = (
        Attendance.objects.filter(session=session).exclude(status=AttendanceStatus.INVITED).exists()
        or Assessment.objects.filter(session=session).exists()
    )
    if took_place:
        raise InvalidTransition(
            _("Attendance or an assessment is recorded for this training: it took place.")
        )
    text = base.text(
        "reason", reason, model=TrainingSession, source="cancel_reason", required=False
    )
    now = timezone.now()
    session.cancelled_at, session.cancelled_by, session.cancel_reason = now, actor, text
    session.updated_at = now
    session.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    notify.cancelled(session, _told(session, actor), now=now)
    return session


def _replace_attendees(session: TrainingSession, attendees: Sequence[User]) -> list[User]:
    """Make ``attendees`` the session's; the newly invited."""
    current = {a.engineer_id: a for a in Attendance.objects.filter(session=session)}
    wanted = {p.pk for p in attendees}
    leaving = [a for pk, a in current.items() if pk not in wanted]
    assessed = set(
        Assessment.objects.filter(
            session=session, engineer_id__in=[a.engineer_id for a in leaving]
        ).values_list("engineer_id", flat=True)
    )
    kept = [a for a in leaving if a.status != AttendanceStatus.INVITED or a.engineer_id in assessed]
    if kept:
        names = User.objects.filter(pk__in=[a.engineer_id for a in kept]).values_list(
            "username", flat=True
        )
        raise ValidationError(
            {
                "attendees": _("Attendance or an assessment is recorded for %(names)s: they stay.")
                % {"names": ", ".join(sorted(names))}
            }
        )
    Attendance.objects.filter(pk__in=[a.pk for a in leaving]).delete()
    added = [p for p in attendees if p.pk not in current]
    Attendance.objects.bulk_create(Attendance(session=session, engineer=p) for p in added)
    return added


@transaction.atomic
def record_attendance(
    session_id: int, *, actor: User, marks: Mapping[str, str]
) -> list[Attendance]:
    """Record ``attended`` or ``absent`` for attendees (by username), once the
    session has begun (409 before); an attendee not given keeps what they had."""
    session = _lock(session_id, actor)
    if not permissions.can_record_attendance(session, actor):
        raise ActionForbidden(_("The trainer or a tech lead records attendance."))
    _not_cancelled(session)
    now = timezone.now()
    if session.starts_at > now:
        raise InvalidTransition(_("The session has not begun: record attendance once it has."))
    if not marks:
        raise ValidationError({"attendance": _("Record at least one attendee.")})
    rows = {
        a.engineer.username: a
        for a in Attendance.objects.filter(session=session).select_related("engineer")
    }
    changed: list[Attendance] = []
    for username, status in marks.items():
        row = rows.get(username)
        if row is None:
            raise ValidationError(
                {"attendance": _("Not an attendee: %(name)s.") % {"name": username}}
            )
        if status not in RECORDED:
            raise ValidationError(
                {"attendance": _("Attended or absent, for %(name)s.") % {"name": username}}
            )
        if row.status != status:
            row.status, row.recorded_by, row.recorded_at = status, actor, now
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["status", "recorded_by", "recorded_at"])
    return sorted(rows.values(), key=lambda a: a.engineer.username)
