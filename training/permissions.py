"""What the training app declares about permissions, and who may do what with trainings,
assessments and drills.

Declared here, merged by ``accounts.roles`` after every migrate (the custom permissions sit
on ``TrainingSession.Meta``):

* engineers and tech leads attend trainings and answer drills (``attend_training``): they
  see the sessions they attend or give, their own assessments and their own drills;
* tech leads, managers and admins read every session, assessment and drill
  (``view_training``): the team's results;
* tech leads and admins plan sessions, record assessments, build drills and score them
  (``manage_training``); a session's trainer records its attendance.

A drill's engineer never reads the answer key (the ticket's root cause, solution and plan,
its number) before the drill is scored, whatever their role: a tech lead given a drill
reads it as an engineer, and may not score their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import capabilities
from accounts.roles import Role
from training.choices import DrillStatus

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from training.models import Drill, TrainingSession

TRAINING_PERMISSIONS = [
    ("attend_training", "Can attend training and answer drills"),
    ("view_training", "Can read every training, assessment and drill"),
    ("manage_training", "Can plan training, record assessments, build and score drills"),
]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.ENGINEER: ["attend_training"],
    Role.TECH_LEAD: ["attend_training", "view_training", "manage_training"],
    Role.MANAGER: ["view_training"],
    Role.ADMIN: ["view_training", "manage_training"],
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "attend_training": "attend_training",
    "view_training": "view_training",
    "manage_training": "manage_training",
}


def uses_training(user: AnyUser) -> bool:
    """The training pages are for the desk's staff; requesters are refused (403)."""
    caps = capabilities(user)
    return caps.attend_training or caps.view_training or caps.manage_training


def reads_everything(user: AnyUser) -> bool:
    return capabilities(user).view_training


def can_manage(user: AnyUser) -> bool:
    """Plan and edit sessions, record assessments, build and score drills."""
    return capabilities(user).manage_training


def can_attend(user: AnyUser) -> bool:
    return capabilities(user).attend_training


def can_record_attendance(session: TrainingSession, user: AnyUser) -> bool:
    """The session's trainer, or a tech lead."""
    return can_manage(user) or (user.is_authenticated and session.trainer_id == user.pk)


def is_drills_engineer(drill: Drill, user: AnyUser) -> bool:
    return user.is_authenticated and drill.engineer_id == user.pk


def sees_answer_key(drill: Drill, user: AnyUser) -> bool:
    """The ticket behind a drill and what solved it: the team's readers, except the drill's
    own engineer, who reads it once the drill is scored."""
    if is_drills_engineer(drill, user):
        return drill.status == DrillStatus.SCORED
    return reads_everything(user)


def can_score(drill: Drill, user: AnyUser) -> bool:
    """Tech leads score drills, never their own."""
    return can_manage(user) and not is_drills_engineer(drill, user)


def can_withdraw(drill: Drill, user: AnyUser) -> bool:
    """Tech leads withdraw drills, never their own (whether it still may be, its state
    says: ``training.choices.OPEN_DRILL``)."""
    return can_manage(user) and not is_drills_engineer(drill, user)
