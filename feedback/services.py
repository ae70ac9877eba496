"""Every write of the satisfaction survey (R5.3).

* ``invite`` runs when a ticket is verified (``tickets.hooks.verified``: by the requester,
  by an engineer for her, or by the system), inside the verifying service's transaction
  with the ticket row locked: the ticket's one survey is created (or, verified again after a
  reopen, re-armed) with the moment it closes the ticket unanswered, and the requester is
  invited. A survey answered before the reopen keeps its answer, and since a verified
  ticket closes once its survey is answered, the ticket closes at once.
* ``answer_survey``: the requester rates 1–5 on response speed, solution quality and
  attitude, with a comment and suggestions; she may change her answer for
  ``FEEDBACK_SURVEY_EDIT_DAYS`` calendar days. Answering on a verified ticket closes it
  (closed by the system, on the timeline). A rating of 2 or less tells the tech leads,
  once per survey.

Each service is a straight line: atomic → lock the ticket row (404 if not visible) →
permitted (403) → allowed now (409) → validate (400, the field named) → change → save →
timeline → tell people. Lock order: the ticket row, then the survey row, as every
service; the time-out sweep (``feedback.obligations``) takes them the other way round
but never waits for a ticket (``SKIP LOCKED``), so the two cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from feedback import notify, permissions, rules
from feedback.choices import DIMENSIONS, Rating, SurveyEntry
from feedback.models import Survey
from sla.calendars import calendar_for_site
from tickets import clocks
from tickets.choices import ClosedAs, EventKind, TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Ticket, TicketEvent
from tickets.services import base


def is_answerable(ticket: Ticket) -> bool:
    """A survey is answered about a fix that held: the ticket is verified, or closed as
    completed (a reopened ticket waits for its next verification)."""
    return ticket.state == TicketState.VERIFIED or (
        ticket.state == TicketState.CLOSED and ticket.closed_as == ClosedAs.COMPLETED
    )


# --- invitation (tickets.hooks.verified) ------------------------------------------------------


def on_verified(sender: Any, *, ticket: Ticket, at: dt.datetime, **kwargs: Any) -> None:
    invite(ticket, at=at)


def invite(ticket: Ticket, *, at: dt.datetime) -> Survey:
    """The survey of ``ticket``, just verified at ``at`` (the caller holds its row lock)."""
    calendar = calendar_for_site(ticket.site_id)
    close_at = rules.close_at(at, calendar)
    survey = Survey.objects.select_for_update(no_key=True).filter(ticket_id=ticket.pk).first()
    if survey is None:
        survey = Survey.objects.create(
            ticket=ticket, requester_id=ticket.requester_id, invited_at=at, close_at=close_at
        )
    elif survey.answered_at is not None:
        # Answered before a reopen: the answer stands (changeable while its window lasts).
        close_by_system(ticket, now=at)
        return survey
    else:
        survey.close_at = close_at
        survey.save(update_fields=["close_at"])
    notify.invite(ticket, survey, answer_by=rules.last_day_to_answer(close_at, calendar), now=at)
    return survey


# --- answering ---------------------------------------------------------------------------------


def rating(field: str, value: Any) -> int:
    """A whole number 1–5 (a form's "4" too); anything else is a 400 on ``field``."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in Rating.values:
        raise ValidationError({field: _("Choose a rating from 1 to 5.")})
    return value


def answer_survey(
    ticket_id: int,
    *,
    actor: User,
    speed: Any,
    quality: Any,
    attitude: Any,
    comment: Any = "",
    suggestions: Any = "",
) -> tuple[Survey, bool]:
    """The requester's answer (``True``: her first) or a change to it, within the window."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.can_answer(ticket, actor):
            raise ActionForbidden(_("Only the person who reported the problem answers its survey."))
        survey = Survey.objects.select_for_update(no_key=True).filter(ticket_id=ticket.pk).first()
        if survey is None:
            raise InvalidTransition(_("The satisfaction survey opens once the fix is verified."))
        if not is_answerable(ticket):
            raise InvalidTransition(
                _("This ticket was reopened: the survey opens again once the new fix is verified.")
            )
        first = survey.answered_at is None
        if not rules.is_editable(survey.answered_at, now):
            until = timezone.localtime(rules.editable_until(survey.answered_at or now))
            raise InvalidTransition(
                _(
                    "Answers can be changed for %(days)d days after the first answer; "
                    "that time ended on %(until)s."
                )
                % {"days": rules.edit_days(), "until": dateformat.format(until, "Y-m-d H:i")}
            )
        found = {
            "speed": rating("speed", speed),
            "quality": rating("quality", quality),
            "attitude": rating("attitude", attitude),
            "comment": base.text("comment", comment, model=Survey, required=False),
            "suggestions": base.text("suggestions", suggestions, model=Survey, required=False),
        }
        before = {name: getattr(survey, name) for name in found}
        if not first and before == found:
            return survey, False  # nothing changed: no entry, nobody told
        for name, value in found.items():
            setattr(survey, name, value)
        survey.answered_at = survey.answered_at or now
        survey.updated_at = now
        survey.close_at = None  # answered: nothing left for the time-out
        base.record(
            ticket,
            SurveyEntry.ANSWERED if first else SurveyEntry.CHANGED,
            actor=actor,
            now=now,
            data=_entry_data(found, None if first else before),
        )
        if ticket.state == TicketState.VERIFIED:
            close_by_system(ticket, now=now)
        ratings = [getattr(survey, name) for name in DIMENSIONS]
        if rules.is_low(ratings) and survey.low_rating_notified_at is None:
            survey.low_rating_notified_at = now
            notify.low_rating(ticket, survey, now=now)
        survey.save()
    return survey, first


def _entry_data(found: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """What the timeline entry keeps: the ratings (and the earlier ones of a change). The
    comment stays on the survey: followers read the timeline, the answer is the requester's."""
    data: dict[str, Any] = {name: found[name] for name in DIMENSIONS}
    if before is not None:
        data["before"] = {name: before[name] for name in DIMENSIONS}
    return data


# --- closing -------------------------------------------------------------------------------------


def close_quietly(ticket: Ticket, *, now: dt.datetime) -> str:
    """Close a verified ticket as completed, as the system (the caller holds its row lock and
    writes the timeline entry); the state it left."""
    from_state = str(ticket.state)
    ticket.close(now=now)
    ticket.last_activity_at = now
    clocks.finish(ticket)
    ticket.save()
    return from_state


def close_by_system(ticket: Ticket, *, now: dt.datetime) -> TicketEvent:
    """Close a verified ticket whose survey is answered: "closed" by the system."""
    from_state = close_quietly(ticket, now=now)
    return base.record_transition(
        ticket, EventKind.CLOSED, actor=None, now=now, from_state=from_state
    )
