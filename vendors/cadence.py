"""The 2-hour update cadence of an open vendor case, on the ticket's SLA calendar.

While a case is open the requester must hear about progress every
``UPDATE_EVERY`` of the calendar the ticket's resolution clock runs on: working
time for medium and low priority, round the clock for a 7×24 policy (high) —
``sla.rules.resolution_calendar``, the same calendar ``tickets.clocks`` uses for
the resolution deadline. The next update falls due ``UPDATE_EVERY`` after the
case was opened or after the last public update from staff; if nothing came
``OVERDUE_AFTER`` (same calendar) after that, the tech leads hear of it.
"""

from __future__ import annotations

import datetime as dt

from servicedesk.lib.business_hours import CalendarData, add_working_seconds
from sla import rules
from sla.calendars import calendar_for_site, policy_for

UPDATE_EVERY = dt.timedelta(hours=2)
OVERDUE_AFTER = dt.timedelta(minutes=30)


def calendar_of(priority: str, site_id: int | None) -> CalendarData:
    """The calendar a ticket of this priority and site counts its resolution time on."""
    return rules.resolution_calendar(policy_for(priority), calendar_for_site(site_id))


def next_update_due(after: dt.datetime, calendar: CalendarData) -> dt.datetime:
    """When the requester is next due an update, given one at ``after`` (or the opening)."""
    return add_working_seconds(after, int(UPDATE_EVERY.total_seconds()), calendar)


def overdue_at(due_at: dt.datetime, calendar: CalendarData) -> dt.datetime:
    """When an update still missing is overdue enough for the tech leads to hear of it."""
    return add_working_seconds(due_at, int(OVERDUE_AFTER.total_seconds()), calendar)


def next_check(
    due_at: dt.datetime | None, calendar: CalendarData, now: dt.datetime
) -> dt.datetime | None:
    """The sweep's next look after ``now``: the due time, then the overdue time, then none
    (a missed update stays overdue until someone updates the requester)."""
    if due_at is None:
        return None
    if due_at > now:
        return due_at
    late = overdue_at(due_at, calendar)
    return late if late > now else None
