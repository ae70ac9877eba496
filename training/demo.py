"""The training part of the demo data (``manage.py load_demo``): a past technical training
with its attendance and an assessment, an upcoming service training, and two drills.

Runs after the people and knowledge parts (``INSTALLED_APPS`` order), through
``training.services`` under the demo clock, as tom (the tech lead):

* "钓鱼邮件应急处置 Responding to phishing", twelve days ago: erin attended, bob was away;
  erin passed its assessment (86), which raised her phishing skill from learning to
  independent ("training: …" on her skills); the knowledge base's phishing article is its
  reading.
* "客户沟通话术技巧 Talking to users", in six days, given by dave, for bob, erin and tom.
* A drill for erin from a solved ticket someone else fixed, not started yet (log in as
  erin to try it), and one for bob, answered and scored 75, so the per-engineer report
  and the results pages have a figure.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Protocol

from django.utils import timezone

from accounts.models import User
from knowledge.models import Article
from tickets.models import Ticket
from training.models import Drill, TrainingSession
from training.services import assessments, drills, sessions
from training.services.drills import drillable

PAST = "钓鱼邮件应急处置 Responding to phishing"
UPCOMING = "客户沟通话术技巧 Talking to users"


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context: the people, the tickets, the end."""

    now: dt.datetime
    users: dict[str, User]
    tickets: list[Ticket]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]: ...


def _at(context: Context, days: int, hour: int) -> dt.datetime:
    """``days`` from the demo's end, at ``hour`` o'clock of the desk's day."""
    day = timezone.localtime(context.now + dt.timedelta(days=days))
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _phishing_article() -> list[int]:
    found = Article.objects.filter(category__slug="security-phishing").order_by("pk").first()
    return [found.pk] if found else []


def load(context: Context) -> None:
    tom, dave = context.users["tom"], context.users["dave"]
    bob, erin = context.users["bob"], context.users["erin"]
    starts = _at(context, -12, 14)
    with context.stopped_at(starts - dt.timedelta(days=5)):
        past = sessions.create_session(
            actor=tom,
            title=PAST,
            kind="technical",
            starts_at=starts,
            duration_minutes=90,
            location="北京总部 3 楼培训室 / Beijing HQ, training room 3F",
            description="识别钓鱼邮件、隔离账号、重置口令、通报流程。\n"
            "Spotting phishing, isolating the account, resetting passwords, who to tell.",
            trainer=tom,
            attendees=[bob, erin],
            articles=_phishing_article(),
            skills=[{"category": "security-phishing", "level": 2}],
            pass_mark=70,
        )
    with context.stopped_at(starts + dt.timedelta(hours=2)):
        sessions.record_attendance(past.pk, actor=tom, marks={"erin": "attended", "bob": "absent"})
        assessments.record_assessment(
            actor=tom,
            engineer=erin,
            score=86,
            notes="隔离与通报步骤完整。\nIsolation and reporting steps complete.",
            session=past.pk,
        )
    with context.stopped_at(context.now - dt.timedelta(days=1)):
        sessions.create_session(
            actor=tom,
            title=UPCOMING,
            kind="service",
            starts_at=_at(context, 6, 15),
            duration_minutes=60,
            location="线上会议 / Online meeting",
            description="开场、倾听、确认理解、说明下一步。\n"
            "Opening, listening, checking understanding, saying what happens next.",
            trainer=dave,
            attendees=[bob, erin, tom],
        )
    _drills(context, tom, bob, erin)


def _solved(context: Context, not_by: User) -> Ticket | None:
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in context.tickets]).order_by("pk"):
        if drillable(ticket) and ticket.assignee_id not in (None, not_by.pk):
            return ticket
    return None


def _drills(context: Context, tom: User, bob: User, erin: User) -> None:
    for_erin, for_bob = _solved(context, erin), _solved(context, bob)
    if for_erin is not None:
        with context.stopped_at(context.now - dt.timedelta(hours=3)):
            drills.create_drill(actor=tom, ticket=for_erin.number, engineer=erin)
    if for_bob is None:
        return
    made = context.now - dt.timedelta(days=2)
    with context.stopped_at(made) as clock:
        drill = drills.create_drill(
            actor=tom, ticket=for_bob.number, engineer=bob, time_limit_minutes=20
        )
        clock.shift(dt.timedelta(hours=1))
        drills.start_drill(drill.pk, actor=bob)
        clock.shift(dt.timedelta(minutes=14))
        drills.answer_drill(
            drill.pk,
            actor=bob,
            diagnosis="先确认影响范围，再查看最近的变更记录。\n"
            "Check who is affected first, then the latest changes.",
            plan="回滚最近的配置变更，观察一小时。\n"
            "Roll back the latest configuration change and watch for an hour.",
        )
        clock.shift(dt.timedelta(hours=2))
        drills.score_drill(
            drill.pk,
            actor=tom,
            score=75,
            notes="思路正确，遗漏了通知申报人。\nRight track; forgot to tell the requester.",
        )


def is_loaded() -> bool:
    return TrainingSession.objects.filter(title=PAST).exists()


def conflicts() -> list[str]:
    taken = TrainingSession.objects.filter(title__in=[PAST, UPCOMING]).count()
    return [f"{taken} training sessions"] if taken else []


def summary(context: Context) -> list[str]:
    made = TrainingSession.objects.filter(title__in=[PAST, UPCOMING]).count()
    return [f"{made} trainings", f"{Drill.objects.count()} drills"]
