"""Input checks the training services share: bounded numbers and the people named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# How far ahead a session may be planned.
AHEAD = dt.timedelta(days=2 * 366)


def number(field: str, value: Any, *, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high`` (both included), else a 400 on ``field``."""
    try:
        found = int(value)
    except (TypeError, ValueError):
        found = None
    if found is None or isinstance(value, bool) or str(found) != str(value).strip():
        raise ValidationError({field: _("Give a whole number.")})
    if not low <= found <= high:
        raise ValidationError(
            {field: _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )
    return found


def moment(field: str, value: Any, *, now: dt.datetime) -> dt.datetime:
    """A date and time from the year 2000 to two years ahead (a naive one is in the
    reader's zone, as the pages' ``datetime-local`` fields send it)."""
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: _("Give a date and time.")})
    found: dt.datetime = timezone.make_aware(value) if timezone.is_naive(value) else value
    if not EARLIEST <= found <= now + AHEAD:
        raise ValidationError({field: _("Give a time between the year 2000 and two years ahead.")})
    return found


def people(
    field: str, given: Iterable[User | str], allowed: QuerySet[User], *, limit: int
) -> list[User]:
    """``given`` (users or usernames), each one of ``allowed``, each once, in order; one
    400 on ``field`` naming everyone who is not."""
    wanted: list[User | str] = list(dict.fromkeys(given))
    if len(wanted) > limit:
        raise ValidationError({field: _("At most %(limit)d people.") % {"limit": limit}})
    names = [p.username if isinstance(p, User) else str(p) for p in wanted]
    found = {u.username: u for u in allowed.filter(username__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError(
            {field: _("Not someone who can take part: %(names)s.") % {"names": ", ".join(missing)}}
        )
    return [found[name] for name in names]


def person(field: str, given: User | str | None, allowed: QuerySet[User]) -> User:
    if given is None or given == "":
        raise ValidationError({field: _("This field is required.")})
    return people(field, [given], allowed, limit=1)[0]
