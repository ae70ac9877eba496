"""Seed the SLA policies of DESIGN.md and the default Asia/Shanghai calendar."""

from django.db import migrations


def seed(apps, schema_editor):
    from tickets.calendar_sources import chinese_calendar_days
    from tickets.sla_models import default_weekly_hours, policy_defaults

    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    CalendarDay = apps.get_model("tickets", "CalendarDay")
    for values in policy_defaults():
        SlaPolicy.objects.get_or_create(priority=values["priority"], defaults=values)
    rows, last_year = chinese_calendar_days()
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="中国大陆工作日历 (Asia/Shanghai)",
        defaults={
            "time_zone": "Asia/Shanghai",
            "weekly_hours": default_weekly_hours(),
            "is_default": True,
            "covered_through": last_year,
        },
    )
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar=calendar, date=d, kind=k, name=n) for d, k, n in rows],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_sla")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
