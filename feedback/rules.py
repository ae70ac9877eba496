"""The survey's clock rules, pure: when an unanswered survey closes its ticket, until when
an answer may be changed, what counts as a low rating. Tunables are read at call time
(``override_settings`` works)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from feedback.choices import LOW_RATING
from servicedesk.lib.business_hours import CalendarData, end_of_working_days


def close_days() -> int:
    return int(settings.FEEDBACK_SURVEY_CLOSE_DAYS)


def edit_days() -> int:
    return int(settings.FEEDBACK_SURVEY_EDIT_DAYS)


def close_at(verified_at: dt.datetime, calendar: CalendarData) -> dt.datetime:
    """When a verified ticket whose survey nobody answered closes: the end of the
    ``FEEDBACK_SURVEY_CLOSE_DAYS``-th whole working day after the verification, on the
    ticket's site calendar (holidays do not count, adjusted working Saturdays do)."""
    return end_of_working_days(verified_at, close_days(), calendar)


def last_day_to_answer(close: dt.datetime, calendar: CalendarData) -> dt.date:
    """The last day before the ticket closes unanswered, in the calendar's zone (the
    deadline is the midnight after it): what the requester is told, as a date."""
    return (close.astimezone(calendar.zone) - dt.timedelta(seconds=1)).date()


def editable_until(answered_at: dt.datetime) -> dt.datetime:
    """An answer may be changed for ``FEEDBACK_SURVEY_EDIT_DAYS`` calendar days after the
    first one (the same measure as reopening a ticket)."""
    return answered_at + dt.timedelta(days=edit_days())


def is_editable(answered_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Not answered yet, or still within the edit window."""
    return answered_at is None or now < editable_until(answered_at)


def is_low(ratings: Iterable[int | None]) -> bool:
    """A rating of ``LOW_RATING`` (2) or less in any dimension."""
    return any(r is not None and r <= LOW_RATING for r in ratings)
