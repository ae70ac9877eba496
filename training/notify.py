"""Who hears about training. The outbox (``notifications``) only delivers.

* A session planned (or an attendee added): each new attendee, with the time.
* A session moved to another time, or cancelled: its attendees and its trainer (not the
  tech lead who did it), with the new time (moved) or the time it was to be (cancelled);
  each reads it in their own language (the outbox renders per reader).
* A drill built: its engineer, named by the drill's number and the ticket's category only
  (the symptom shows when they start it; the ticket is never named).
* A drill scored, or withdrawn before it was answered: its engineer.

Rows are written inside the transaction that causes them; each names its cause, so a
cause written twice notifies once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from notifications import outbox
from training.choices import TrainingNotice
from training.models import Drill, TrainingSession


def invited(session: TrainingSession, people: Sequence[User], *, now: dt.datetime) -> None:
    if not people:
        return
    outbox.save_and_dispatch(
        outbox.build(
            recipients=people,
            kind=TrainingNotice.INVITED,
            cause=f"training:{session.pk}:invited",
            now=now,
            link=reverse("training:session", args=[session.pk]),
            payload={
                "number": session.number,
                "title": session.title,
                "when_at": session.starts_at.isoformat(),
            },
        )
    )


def _session_news(
    session: TrainingSession,
    people: Sequence[User],
    *,
    kind: TrainingNotice,
    cause: str,
    now: dt.datetime,
) -> None:
    if not people:
        return
    outbox.save_and_dispatch(
        outbox.build(
            recipients=people,
            kind=kind,
            cause=cause,
            now=now,
            link=reverse("training:session", args=[session.pk]),
            payload={
                "number": session.number,
                "title": session.title,
                "when_at": session.starts_at.isoformat(),
            },
        )
    )


def moved(session: TrainingSession, people: Sequence[User], *, now: dt.datetime) -> None:
    """The session starts at another time now (each move is news of its own)."""
    _session_news(
        session,
        people,
        kind=TrainingNotice.MOVED,
        cause=f"training:{session.pk}:moved:{session.starts_at.isoformat()}:{now.isoformat()}",
        now=now,
    )


def cancelled(session: TrainingSession, people: Sequence[User], *, now: dt.datetime) -> None:
    _session_news(
        session,
        people,
        kind=TrainingNotice.CANCELLED,
        cause=f"training:{session.pk}:cancelled",
        now=now,
    )


def drill_withdrawn(drill: Drill, *, now: dt.datetime) -> None:
    """Named as when it was assigned: its number and the ticket's category only."""
    _tell_engineer(drill, TrainingNotice.DRILL_WITHDRAWN, "withdrawn", now=now)


def drill_assigned(drill: Drill, *, now: dt.datetime) -> None:
    _tell_engineer(drill, TrainingNotice.DRILL_ASSIGNED, "assigned", now=now)


def _tell_engineer(drill: Drill, kind: str, what: str, *, now: dt.datetime) -> None:
    """The drill's engineer, told by its number and the ticket's category (never the
    ticket: the drill is built from a solved one whose answer they must not look up)."""
    engineer = drill.engineer
    with translation.override(engineer.language or settings.LANGUAGE_CODE):
        category = drill.ticket.category.label
    outbox.save_and_dispatch(
        outbox.build(
            recipients=[engineer],
            kind=kind,
            cause=f"drill:{drill.pk}:{what}",
            now=now,
            link=reverse("training:drill", args=[drill.pk]),
            payload={"number": drill.number, "title": category},
        )
    )


def drill_scored(drill: Drill, *, now: dt.datetime) -> None:
    outbox.save_and_dispatch(
        outbox.build(
            recipients=[drill.engineer],
            kind=TrainingNotice.DRILL_SCORED,
            cause=f"drill:{drill.pk}:scored",
            now=now,
            link=reverse("training:drill", args=[drill.pk]),
            payload={"number": drill.number, "title": drill.title},
        )
    )
