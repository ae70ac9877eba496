"""The survey on the ticket page and the service report (``tickets.hooks`` panels).

* ``requester`` (the top of her page): the form while unanswered, her answer with "change"
  while the edit window lasts, her answer afterwards; nothing before the fix is verified
  or while a reopened ticket is worked on again.
* ``work`` (the engineer's column): the answer, read-only, once answered; before that a
  line saying the survey waits and when the ticket closes by itself.
* ``report`` (the printed service report): the satisfaction row of R6.1's record.

Each context function asks one query (the survey), whatever the ticket's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.permissions import capabilities
from feedback import permissions, rules, selectors, services
from feedback.choices import Dimension, Rating
from feedback.forms import SurveyForm, initial_of
from feedback.models import Survey
from sla.calendars import calendar_for_site
from tickets.models import Ticket

REQUESTER_PANEL = "survey_requester"
WORK_PANEL = "survey_work"
REPORT_PANEL = "survey_report"


def ratings(survey: Survey) -> list[dict[str, Any]]:
    """The three answers for people: the dimension, the number and its words."""
    return [
        {
            "name": str(dimension),
            "label": dimension.label,
            "value": getattr(survey, dimension),
            "words": Rating(getattr(survey, dimension)).label,
            "stars": "★" * getattr(survey, dimension) + "☆" * (5 - getattr(survey, dimension)),
            "is_low": rules.is_low([getattr(survey, dimension)]),
        }
        for dimension in Dimension
        if getattr(survey, dimension) is not None
    ]


def _answer_by(survey: Survey, ticket: Ticket) -> dt.date | None:
    if survey.close_at is None:
        return None
    return rules.last_day_to_answer(survey.close_at, calendar_for_site(ticket.site_id))


def requester_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    if not permissions.can_answer(ticket, user) or not services.is_answerable(ticket):
        return None
    survey = selectors.survey_of(ticket)
    if survey is None:
        return None
    answered_at = survey.answered_at
    editable = rules.is_editable(answered_at, timezone.now())
    answered = answered_at is not None
    return {
        "survey": survey,
        "answered": answered,
        "editable": editable,
        "editable_until": rules.editable_until(answered_at) if answered_at else None,
        "answer_by": _answer_by(survey, ticket),
        "ratings": ratings(survey) if answered else [],
        "form": (SurveyForm(initial=initial_of(survey)) if answered else SurveyForm())
        if editable
        else None,
        "open": not answered,
    }


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    if not capabilities(user).view_all:
        return None
    survey = selectors.survey_of(ticket)
    if survey is None:
        return None
    return {
        "survey": survey,
        "answered": survey.answered_at is not None,
        "ratings": ratings(survey),
        "closes_on": _answer_by(survey, ticket),
    }


def report_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The requester's answer for whoever may read it (she and the desk; not followers)."""
    if not permissions.can_read(ticket, user):
        return None
    survey = selectors.survey_of(ticket)
    return {
        "survey": survey,
        "answered": survey is not None and survey.answered_at is not None,
        "ratings": ratings(survey) if survey is not None else [],
    }
