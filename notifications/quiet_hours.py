"""Quiet hours: when only high and urgent notifications reach a person outside the app.

A person sets a from–to on the preferences page (``QuietHours``), in the zone the pages
show them (their site's, kept with the hours when they save). While they are quiet, the
outbox writer (``outbox.insert``) still puts their normal notifications in the app, but
folds the e-mail and IM side into the morning digest (``DigestScope.OUTSIDE``), which
closes when the quiet hours end; a window's digest that closes in them goes to the app
only, and its items join that morning digest (``digests.close_due``). High and urgent
notifications are never held.

The rule is written twice, once in SQL (``NIGHT_SQL``, inside the writer's one statement)
and once in Python (``night_of``, for the closer and the page); a test holds them equal.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from accounts.models import User
from notifications import times
from notifications.models import QuietHours
from servicedesk.lib import sql


@dataclass(frozen=True)
class Night:
    """One stretch of quiet hours, as instants."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def _length(starts: dt.time, ends: dt.time) -> dt.timedelta:
    day = dt.date(2000, 1, 1)
    length = dt.datetime.combine(day, ends) - dt.datetime.combine(day, starts)
    return length if length > dt.timedelta(0) else length + dt.timedelta(days=1)


def is_quiet_time(starts: dt.time, ends: dt.time, moment: dt.time) -> bool:
    """Whether a local time of day falls in the hours (past midnight when ``ends`` is
    earlier than ``starts``; equal times mean no quiet hours)."""
    if starts == ends:
        return False
    if starts < ends:
        return starts <= moment < ends
    return moment >= starts or moment < ends


def night_of(hours: QuietHours, at: dt.datetime) -> Night | None:
    """The quiet hours ``at`` falls in, or ``None`` when the person is not quiet then."""
    try:
        zone = zoneinfo.ZoneInfo(hours.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    local = at.astimezone(zone).replace(tzinfo=None)
    moment = local.time()
    if not is_quiet_time(hours.starts, hours.ends, moment):
        return None
    end_day = local.date() + dt.timedelta(days=1 if moment >= hours.ends else 0)
    ends_local = dt.datetime.combine(end_day, hours.ends)
    starts_local = ends_local - _length(hours.starts, hours.ends)
    return Night(starts_local.replace(tzinfo=zone), ends_local.replace(tzinfo=zone))


def night_for(user: User, at: dt.datetime) -> Night | None:
    """The person's quiet hours at ``at`` (their ``quiet_hours`` row, if any, is read)."""
    hours = QuietHours.objects.filter(user=user).first()
    return night_of(hours, at) if hours is not None else None


def hours_of(user: User) -> QuietHours | None:
    return QuietHours.objects.filter(user=user).first()


def zone_name(user: User) -> str:
    """The zone new quiet hours are kept in: the one the pages show the person."""
    return times.reader_zone(user).key


def save(user: User, starts: dt.time | None, ends: dt.time | None) -> QuietHours | None:
    """Set the person's quiet hours (in the zone the pages show them), or clear them when
    either end is missing. Equal ends are refused by the page's form."""
    if starts is None or ends is None:
        QuietHours.objects.filter(user=user).delete()
        return None
    hours, _created = QuietHours.objects.update_or_create(
        user=user, defaults={"starts": starts, "ends": ends, "time_zone": zone_name(user)}
    )
    return hours


def night_sql(moments: str) -> str:
    """``SELECT r, at, starts_at, ends_at``: for each (recipient ``r``, instant ``at``) of
    the relation ``moments`` that falls in the recipient's quiet hours, the stretch it
    falls in (``night_of`` in SQL: the local day and time in the hours' own zone)."""
    table = sql.table(QuietHours)
    return (
        "SELECT m.r, m.at, "  # noqa: S608 (table names only)
        "(e.end_local - e.length) AT TIME ZONE q.time_zone AS starts_at, "
        "e.end_local AT TIME ZONE q.time_zone AS ends_at "
        # (only the people with quiet hours: usually few, often nobody in a storm)
        f"FROM (SELECT DISTINCT r, at FROM {moments} "
        f"WHERE r IN (SELECT user_id FROM {table} WHERE starts <> ends)) m "
        f"JOIN {table} q ON q.user_id = m.r "
        "CROSS JOIN LATERAL (SELECT (m.at AT TIME ZONE q.time_zone) AS local) l "
        "CROSS JOIN LATERAL (SELECT l.local::time AS t, l.local::date AS d) lt "
        "CROSS JOIN LATERAL (SELECT lt.d + q.ends + CASE WHEN lt.t >= q.ends "
        "THEN interval '1 day' ELSE interval '0' END AS end_local, "
        "CASE WHEN q.ends > q.starts THEN q.ends - q.starts "
        "ELSE q.ends - q.starts + interval '24 hours' END AS length) e "
        "WHERE q.starts <> q.ends AND CASE WHEN q.starts < q.ends "
        "THEN lt.t >= q.starts AND lt.t < q.ends ELSE lt.t >= q.starts OR lt.t < q.ends END"
    )
