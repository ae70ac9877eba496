"""Take over the outbox from ``tickets`` (see ``tickets.0011``): same table, no data moved."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ['notification']


def take_content_types(apps, schema_editor):
    """Keep permission grants: the models' content types change app, rows keep their ids."""
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(content_type.objects.filter(app_label="notifications").values_list("model", flat=True))
    content_type.objects.filter(app_label="tickets", model__in=set(MOVED) - taken).update(
        app_label="notifications"
    )


def give_back_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="notifications", model__in=MOVED).update(app_label="tickets")



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("tickets", "0011_move_sla_and_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (created by tickets' migrations): only Django's state changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('in_app', 'In the app'), ('email', 'Email')], max_length=16)),
                        ('kind', models.CharField(max_length=32)),
                        ('link', models.CharField(blank=True, default='', max_length=500)),
                        ('payload', models.JSONField(blank=True, default=dict)),
                        ('dedupe_key', models.CharField(max_length=200, unique=True)),
                        ('created_at', models.DateTimeField()),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'tickets_notification',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['created_at'], name='tickets_notification_pending'), models.Index(condition=models.Q(('channel', 'in_app')), fields=['recipient', '-created_at'], name='tickets_notification_inbox')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(take_content_types, give_back_content_types),
    ]
