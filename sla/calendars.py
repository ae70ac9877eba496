"""Load business calendars from the database into ``CalendarData``, cached per process.

The cache lives 60 seconds and is cleared whenever a calendar, a calendar day
or a site's calendar is saved in this process; other processes pick the change
up within the minute.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from servicedesk.lib.business_hours import (
    CalendarData,
    DayHours,
    parse_hours,
    standard_calendar,
)
from sla.choices import CalendarDayKind
from sla.models import BusinessCalendar, CalendarDay, SiteCalendar, SlaPolicy, policy_defaults
from sla.rules import Policy

_TTL_SECONDS = 60
_lock = threading.Lock()
_cache: dict[str, tuple[float, Any]] = {}


def clear_calendar_cache(**_kwargs: Any) -> None:
    with _lock:
        _cache.clear()


def _cached(key: str, load: Callable[[], Any]) -> Any:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < _TTL_SECONDS:
            return hit[1]
    value = load()
    with _lock:
        _cache[key] = (now, value)
    return value


def calendar_data(calendar: BusinessCalendar) -> CalendarData:
    weekly = tuple(parse_hours(day) for day in calendar.weekly_hours)
    usual = next((hours for hours in weekly if hours), ((540, 1080),))
    overrides: dict[dt.date, DayHours] = {}
    for day in CalendarDay.objects.filter(calendar=calendar).only("date", "kind", "hours"):
        if day.kind == CalendarDayKind.HOLIDAY:
            overrides[day.date] = ()
        else:
            overrides[day.date] = parse_hours(day.hours) if day.hours else usual
    return CalendarData(calendar.time_zone, weekly, overrides)


def _load_default() -> CalendarData:
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        return standard_calendar(settings.TIME_ZONE)
    return calendar_data(calendar)


def default_calendar() -> CalendarData:
    found: CalendarData = _cached("default", _load_default)
    return found


def calendar_for_site(site_id: int | None) -> CalendarData:
    """The site's own calendar when it has one, else the default calendar."""
    if site_id is None:
        return default_calendar()

    def load() -> CalendarData | None:
        link = SiteCalendar.objects.select_related("calendar").filter(site_id=site_id).first()
        return calendar_data(link.calendar) if link else None

    return _cached(f"site:{site_id}", load) or default_calendar()


def calendar_by_id(calendar_id: int | None) -> CalendarData:
    """A calendar by its id (a person's own working hours), cached like the others; no id,
    or a calendar since deleted, gives the default calendar."""
    if calendar_id is None:
        return default_calendar()

    def load() -> CalendarData | None:
        calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
        return calendar_data(calendar) if calendar else None

    return _cached(f"calendar:{calendar_id}", load) or default_calendar()


for _model in (BusinessCalendar, CalendarDay, SiteCalendar):
    receiver(post_save, sender=_model, dispatch_uid=f"calendar-cache-save-{_model.__name__}")(
        clear_calendar_cache
    )
    receiver(post_delete, sender=_model, dispatch_uid=f"calendar-cache-del-{_model.__name__}")(
        clear_calendar_cache
    )


def _load_policies() -> dict[str, Policy]:
    rows = {row.priority: Policy.of(row) for row in SlaPolicy.objects.all()}
    for values in policy_defaults():  # a deleted policy falls back to DESIGN.md's default
        rows.setdefault(values["priority"], Policy(**values))
    return rows


def policy_for(priority: str) -> Policy:
    """The SLA policy of a priority (cached like calendars)."""
    policies: dict[str, Policy] = _cached("policies", _load_policies)
    return policies[priority]


def _clear_on_policy_change(**kwargs: Any) -> None:
    clear_calendar_cache()


def connect_policy_signals() -> None:
    post_save.connect(_clear_on_policy_change, sender=SlaPolicy, dispatch_uid="sla-policy-save")
    post_delete.connect(_clear_on_policy_change, sender=SlaPolicy, dispatch_uid="sla-policy-del")
