"""How a clock reads to a person: due when, time left or late by, paused or not.

Generic: any feature with a deadline (a ticket, a vendor case, an incident
report) builds its ``ClockView`` with ``running`` and the fixed states below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _


def duration_text(seconds: int) -> str:
    """``1 h 5 min`` / ``12 min`` / ``2 d 3 h`` / ``8 h``, rounded to the minute; a zero
    smaller unit is left out ("8 小时", not "8 小时 0 分钟" or "480 分钟")."""
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        if not hours:
            return _("%(d)d d") % {"d": days}
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        if not mins:
            return _("%(h)d h") % {"h": hours}
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": mins}


@dataclass(frozen=True)
class ClockView:
    name: str
    status: str  # running, warning, breached, paused, met, late, stopped
    due_at: dt.datetime | None
    text: str
    css: str


def running(name: str, due: dt.datetime, warn: dt.datetime | None, now: dt.datetime) -> ClockView:
    left = int((due - now).total_seconds())
    if left < 0:
        return ClockView(name, "breached", due, _("late by %s") % duration_text(-left), "bg-red-lt")
    if warn and now >= warn:
        return ClockView(name, "warning", due, _("due in %s") % duration_text(left), "bg-orange-lt")
    return ClockView(name, "running", due, _("due in %s") % duration_text(left), "bg-green-lt")
