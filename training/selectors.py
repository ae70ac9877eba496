"""Every permission-scoped read of sessions, assessments and drills.

The team's readers (``view_training``: tech leads, managers, admins) read everything; an
engineer reads the sessions they attend or give, their own assessments and their own
drills — another engineer's drill is a 404, its existence not confirmed. Lists join what
their rows show, so a page runs a fixed number of queries whatever it holds.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import AnyUser, User
from knowledge.models import Article
from knowledge.selectors import articles_visible_to
from tickets.selectors import users_with_permission
from training import permissions
from training.choices import AttendanceStatus
from training.errors import DrillNotFound, SessionNotFound
from training.models import Assessment, Attendance, Drill, SessionSkill, TrainingSession


def sessions_visible_to(user: AnyUser) -> QuerySet[TrainingSession]:
    if not user.is_authenticated or not permissions.uses_training(user):
        return TrainingSession.objects.none()
    if permissions.reads_everything(user):
        return TrainingSession.objects.all()
    attends = Attendance.objects.filter(session_id=OuterRef("pk"), engineer_id=user.pk)
    return TrainingSession.objects.filter(Q(trainer_id=user.pk) | Exists(attends))


def session_rows(user: AnyUser) -> QuerySet[TrainingSession]:
    """Sessions for a list: the trainer, the number invited and attended, and the reader's
    own attendance (empty when they are not an attendee)."""
    mine = Attendance.objects.filter(session_id=OuterRef("pk"), engineer_id=user.pk or 0)
    return (
        sessions_visible_to(user)
        .select_related("trainer")
        .annotate(
            invited=Count("attendance", distinct=True),
            attended=Count(
                "attendance",
                filter=Q(attendance__status=AttendanceStatus.ATTENDED),
                distinct=True,
            ),
            my_status=Subquery(mine.values("status")[:1]),
        )
    )


def session_for_api(user: AnyUser) -> QuerySet[TrainingSession]:
    """Sessions with what the API shows of each: attendees, skills and articles (three
    prefetches, whatever the number of rows)."""
    return (
        sessions_visible_to(user)
        .select_related("trainer", "cancelled_by")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("engineer").order_by(
                    "engineer__username"
                ),
            ),
            Prefetch("skills", queryset=SessionSkill.objects.select_related("category")),
            # The knowledge articles the reader may read (the others are not named).
            Prefetch("articles", queryset=articles_visible_to(user).only("pk").order_by("pk")),
        )
    )


def get_session_for(user: AnyUser, session_id: int) -> TrainingSession:
    found = (
        sessions_visible_to(user)
        .select_related("trainer", "cancelled_by")
        .filter(pk=session_id)
        .first()
    )
    if found is None:
        raise SessionNotFound
    return found


def attendance_of(session: TrainingSession) -> list[Attendance]:
    return list(
        Attendance.objects.filter(session=session)
        .select_related("engineer")
        .order_by("engineer__username")
    )


def skills_of(session: TrainingSession) -> list[SessionSkill]:
    return list(SessionSkill.objects.filter(session=session).select_related("category"))


def articles_of(session: TrainingSession, user: AnyUser) -> list[Article]:
    """The session's knowledge articles that ``user`` may read (the others are not named)."""
    return list(
        articles_visible_to(user)
        .filter(pk__in=session.articles.values("pk"))
        .only("pk", "title", "status")
        .order_by("title", "pk")
    )


def assessments_visible_to(user: AnyUser) -> QuerySet[Assessment]:
    if not user.is_authenticated or not permissions.uses_training(user):
        return Assessment.objects.none()
    if permissions.reads_everything(user):
        return Assessment.objects.all()
    return Assessment.objects.filter(engineer_id=user.pk)


def assessment_rows(user: AnyUser) -> QuerySet[Assessment]:
    return assessments_visible_to(user).select_related(
        "engineer", "assessed_by", "session", "drill"
    )


def drills_visible_to(user: AnyUser) -> QuerySet[Drill]:
    if not user.is_authenticated or not permissions.uses_training(user):
        return Drill.objects.none()
    if permissions.reads_everything(user):
        return Drill.objects.all()
    return Drill.objects.filter(engineer_id=user.pk)


def drill_rows(user: AnyUser) -> QuerySet[Drill]:
    """Drills for a list, with the engineer, the ticket's category and the score."""
    return drills_visible_to(user).select_related(
        "engineer", "created_by", "ticket__category", "assessment"
    )


def get_drill_for(user: AnyUser, drill_id: int) -> Drill:
    found = drill_rows(user).filter(pk=drill_id).first()
    if found is None:
        raise DrillNotFound
    return found


def attendee_choices() -> QuerySet[User]:
    """Who may be invited to a session or given a drill: engineers and tech leads."""
    return users_with_permission("attend_training")


def trainer_choices() -> QuerySet[User]:
    """Who may give a session: anyone on the desk's staff (attendees and the team's readers)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__permissions__codename__in=["attend_training", "view_training"],
        )
        .distinct()
        .order_by("username")
    )


def answer_key(drill: Drill) -> dict[str, str]:
    """What really solved the drill's ticket: for the team's readers, and for its engineer
    once scored (``permissions.sees_answer_key``) — never shown otherwise."""
    ticket = drill.ticket
    return {
        "number": ticket.number,
        "root_cause_type": ticket.get_root_cause_type_display() if ticket.root_cause_type else "",
        "root_cause": ticket.root_cause,
        "impact_scope": ticket.impact_scope,
        "solution_plan": ticket.solution_plan,
        "solution": ticket.solution,
    }
