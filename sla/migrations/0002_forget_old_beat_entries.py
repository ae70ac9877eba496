"""Beat's database scheduler keeps entries for tasks that moved app; drop the stale ones.

``tickets.tasks.sweep_sla`` became ``sla.tasks.run_sweeps`` and
``tickets.tasks.dispatch_pending`` became ``notifications.tasks.dispatch_pending``;
settings create the new entries when beat starts.
"""

from django.db import migrations

STALE = ["tickets.tasks.sweep_sla", "tickets.tasks.dispatch_pending"]


def forget(apps, schema_editor):
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    periodic_task.objects.filter(task__in=STALE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
