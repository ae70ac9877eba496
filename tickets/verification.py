"""When a proposed fix nobody answers counts as confirmed (``TICKETS_AUTO_VERIFY_DAYS``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from servicedesk.lib.business_hours import end_of_working_days
from sla.calendars import calendar_for_site
from tickets.models import Ticket


def auto_verify_days() -> int:
    return int(settings.TICKETS_AUTO_VERIFY_DAYS)


def auto_verify_at(ticket: Ticket) -> dt.datetime | None:
    """The end of the last working day the requester has to answer, on their site's calendar;
    ``None`` unless a fix is waiting for them."""
    if ticket.resolved_at is None or ticket.verified_at is not None:
        return None
    return end_of_working_days(
        ticket.resolved_at, auto_verify_days(), calendar_for_site(ticket.site_id)
    )


def last_day_to_answer(ticket: Ticket) -> dt.date | None:
    """The last working day the requester has to answer (the deadline is the midnight after
    it, in the calendar's zone): what people are told, as a date."""
    deadline = auto_verify_at(ticket)
    if deadline is None:
        return None
    zone = calendar_for_site(ticket.site_id).zone
    return (deadline.astimezone(zone) - dt.timedelta(seconds=1)).date()
