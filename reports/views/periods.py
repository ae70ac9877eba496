"""Periods people pick by name: this week, last week, this month, last month.

Days are the desk's (``TIME_ZONE``), like the reports' own definition of a ticket's period
(its submission date in the desk's zone), whatever the reader's zone. Weeks start on
Monday. A period is always whole (this month runs to its last day, as the API's default
period does), so a shared link means the same days whenever it is opened.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    key: str
    label: str | Promise
    start: dt.date
    end: dt.date


def desk_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def desk_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now(), desk_zone())


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday around ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first to the last day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def this_week(today: dt.date) -> Period:
    return Period("this_week", _("This week"), *week_of(today))


def last_week(today: dt.date) -> Period:
    start, end = week_of(today - dt.timedelta(days=7))
    return Period("last_week", _("Last week"), start, end)


def this_month(today: dt.date) -> Period:
    return Period("this_month", _("This month"), *month_of(today))


def last_month(today: dt.date) -> Period:
    start, end = month_of(today.replace(day=1) - dt.timedelta(days=1))
    return Period("last_month", _("Last month"), start, end)


def quick_periods(today: dt.date | None = None) -> list[Period]:
    today = today or desk_today()
    return [this_week(today), last_week(today), this_month(today), last_month(today)]


def named(start: dt.date, end: dt.date, today: dt.date | None = None) -> Period | None:
    """The quick pick these dates are, if any."""
    for period in quick_periods(today):
        if (period.start, period.end) == (start, end):
            return period
    return None
