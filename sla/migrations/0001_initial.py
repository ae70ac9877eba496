"""Take over the SLA models from ``tickets`` (see ``tickets.0011``): same tables, no data moved."""

import django.db.models.deletion
from django.db import migrations, models

import sla.models

MOVED = ['businesscalendar', 'calendarday', 'sitecalendar', 'slapolicy']


def take_content_types(apps, schema_editor):
    """Keep permission grants: the models' content types change app, rows keep their ids."""
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(content_type.objects.filter(app_label="sla").values_list("model", flat=True))
    content_type.objects.filter(app_label="tickets", model__in=set(MOVED) - taken).update(
        app_label="sla"
    )


def give_back_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="sla", model__in=MOVED).update(app_label="tickets")



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("tickets", "0011_move_sla_and_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        ('accounts', '0001_initial'),
    ]

    operations = [
        # The tables exist (created by tickets' migrations): only Django's state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SlaPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('priority', models.CharField(choices=[('high', 'High'), ('medium', 'Medium'), ('low', 'Low')], max_length=8, unique=True, verbose_name='priority')),
                        ('respond_minutes', models.PositiveIntegerField(verbose_name='respond within (minutes)')),
                        ('respond_24x7', models.BooleanField(default=False, verbose_name='response clock runs 24x7')),
                        ('resolve_minutes', models.PositiveIntegerField(verbose_name='resolve within (minutes)')),
                        ('resolve_24x7', models.BooleanField(default=False, verbose_name='resolution clock runs 24x7')),
                        ('warn_percent', models.PositiveSmallIntegerField(default=80, verbose_name='warn at (percent of the budget)')),
                    ],
                    options={
                        'verbose_name': 'SLA policy',
                        'verbose_name_plural': 'SLA policies',
                        'db_table': 'tickets_slapolicy',
                        'ordering': ['priority'],
                    },
                ),
                migrations.CreateModel(
                    name='BusinessCalendar',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('time_zone', models.CharField(default='Asia/Shanghai', max_length=64, verbose_name='time zone')),
                        ('weekly_hours', models.JSONField(default=sla.models.default_weekly_hours, verbose_name='weekly working hours')),
                        ('is_default', models.BooleanField(default=False, verbose_name='default calendar')),
                        ('covered_through', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='holidays known through (year)')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'business calendar',
                        'verbose_name_plural': 'business calendars',
                        'db_table': 'tickets_businesscalendar',
                        'ordering': ['name'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='tickets_businesscalendar_one_default')],
                    },
                ),
                migrations.CreateModel(
                    name='SiteCalendar',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sites', to='sla.businesscalendar')),
                        ('site', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_link', to='accounts.site')),
                    ],
                    options={
                        'verbose_name': 'site calendar',
                        'verbose_name_plural': 'site calendars',
                        'db_table': 'tickets_sitecalendar',
                    },
                ),
                migrations.CreateModel(
                    name='CalendarDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('kind', models.CharField(choices=[('holiday', 'Holiday (no work)'), ('workday', 'Adjusted working day')], max_length=16, verbose_name='kind')),
                        ('name', models.CharField(blank=True, max_length=100, verbose_name='name')),
                        ('hours', models.JSONField(blank=True, default=list, help_text="Only for adjusted working days; empty means the calendar's usual hours.", verbose_name='working hours')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='days', to='sla.businesscalendar')),
                    ],
                    options={
                        'verbose_name': 'calendar day',
                        'verbose_name_plural': 'calendar days',
                        'db_table': 'tickets_calendarday',
                        'ordering': ['date'],
                        'constraints': [models.UniqueConstraint(fields=('calendar', 'date'), name='tickets_calendarday_unique_date')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(take_content_types, give_back_content_types),
    ]
