"""Human numbers of major incidents: ``MI-YYYYMMDD-NN``.

The date is the day in the desk's time zone (``TIME_ZONE``, also on a UTC server); the
sequence comes from a per-day counter row incremented with ``INSERT … ON CONFLICT DO
UPDATE … RETURNING``, which locks the row until the declaring transaction ends, so two
declarations at the same moment never share a number (tickets' ``TicketCounter`` works
the same way). A hundredth incident in a day simply gets three digits.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from incidents.models import IncidentCounter
from servicedesk.lib import sql


def desk_day(now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def next_number(now: dt.datetime) -> str:
    """The next number of the day ``now`` falls on (call inside the declaring transaction)."""
    day = desk_day(now)
    table = sql.table(IncidentCounter)
    with connection.cursor() as cursor:
        # Only the model's table name is interpolated; the day travels as a parameter.
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()  # RETURNING always yields the row
    return f"MI-{day:%Y%m%d}-{sequence:02d}"
