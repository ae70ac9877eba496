"""The default calendar and policies: seeded by a migration, re-seeded by test fixtures.

``seed(apps)`` works on historical models (a migration's ``apps``) or on the
live registry (``django.apps.apps``), so a test whose database was flushed
gets exactly what a fresh install has.
"""

from __future__ import annotations

from typing import Any

from sla.calendar_sources import chinese_calendar_days
from sla.choices import RetriageRule
from sla.models import default_weekly_hours, policy_defaults

DEFAULT_CALENDAR_NAME = "中国大陆工作日历 (Asia/Shanghai)"


def seed(apps: Any, app_label: str = "sla") -> None:
    """Create DESIGN.md's SLA policies and the Asia/Shanghai calendar (idempotent).

    Every seeded policy re-triages with ``restart`` (a priority change restarts the clocks
    not yet met instead of recomputing them from the filing time); an older migration's
    model, from before the rule existed, gets the column's default later.
    """
    sla_policy = apps.get_model(app_label, "SlaPolicy")
    business_calendar = apps.get_model(app_label, "BusinessCalendar")
    calendar_day = apps.get_model(app_label, "CalendarDay")
    has_rule = any(f.name == "retriage_rule" for f in sla_policy._meta.get_fields())
    for values in policy_defaults():
        if has_rule:
            values["retriage_rule"] = RetriageRule.RESTART.value
        sla_policy.objects.get_or_create(priority=values["priority"], defaults=values)
    rows, last_year = chinese_calendar_days()
    calendar, _created = business_calendar.objects.get_or_create(
        name=DEFAULT_CALENDAR_NAME,
        defaults={
            "time_zone": "Asia/Shanghai",
            "weekly_hours": default_weekly_hours(),
            "is_default": True,
            "covered_through": last_year,
        },
    )
    calendar_day.objects.bulk_create(
        [calendar_day(calendar=calendar, date=d, kind=k, name=n) for d, k, n in rows],
        ignore_conflicts=True,
    )
