"""The feedback part of the demo data (``manage.py load_demo``): the requesters' answers to
the satisfaction surveys their verified tickets sent.

Runs after the tickets part (``INSTALLED_APPS`` order), whose verifications invited the
requesters (``tickets.hooks.verified``). Each survey but the newest one still waiting on a
verified ticket is answered an hour after its invitation through
``feedback.services.answer_survey`` under the demo clock — so a verified ticket closes, a
low rating tells the tech leads, and the timeline says so, as on the real screens. The one
left open shows the requester's form (alice's, when she has one).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Protocol

from feedback import services
from feedback.models import Survey
from tickets.choices import TicketState
from tickets.models import Ticket

ANSWERED_AFTER = dt.timedelta(hours=1)
# speed, quality, attitude, comment, suggestions — one answer per survey, in turn.
ANSWERS: list[tuple[int, int, int, str, str]] = [
    (5, 5, 5, "响应很快，工程师很耐心。\nQuick and patient.", ""),
    (
        4,
        5,
        4,
        "问题彻底解决了。\nFixed for good.",
        "希望增加操作视频教程。\nA short how-to video would help.",
    ),
    (
        2,
        3,
        4,
        "等了很久才有人回复。\nWaited a long time for the first reply.",
        "下班前提交的工单也请尽快受理。\nPlease pick up tickets filed late in the day.",
    ),
    (5, 4, 5, "", ""),
]


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context: the tickets made before, and the end."""

    now: dt.datetime
    tickets: list[Ticket]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]: ...


def _surveys(context: Context) -> list[Survey]:
    return list(
        Survey.objects.filter(ticket_id__in=[t.pk for t in context.tickets])
        .select_related("ticket", "requester")
        .order_by("invited_at", "pk")
    )


def _left_open(surveys: list[Survey]) -> Survey | None:
    """The newest survey waiting on a verified ticket, alice's first: her form to try."""
    waiting = [s for s in surveys if s.ticket.state == TicketState.VERIFIED]
    mine = [s for s in waiting if s.requester.username == "alice"]
    found = mine or waiting
    return found[-1] if found else None


def load(context: Context) -> None:
    surveys = _surveys(context)
    keep = _left_open(surveys)
    answered = [s for s in surveys if s is not keep and services.is_answerable(s.ticket)]
    for index, survey in enumerate(answered):
        speed, quality, attitude, comment, suggestions = ANSWERS[index % len(ANSWERS)]
        moment = min(survey.invited_at + ANSWERED_AFTER, context.now)
        with context.stopped_at(moment):
            services.answer_survey(
                survey.ticket_id,
                actor=survey.requester,
                speed=speed,
                quality=quality,
                attitude=attitude,
                comment=comment,
                suggestions=suggestions,
            )


def summary(context: Context) -> list[str]:
    surveys = Survey.objects.filter(ticket_id__in=[t.pk for t in context.tickets])
    answered = surveys.filter(answered_at__isnull=False).count()
    return [f"{surveys.count()} satisfaction surveys ({answered} answered)"]
