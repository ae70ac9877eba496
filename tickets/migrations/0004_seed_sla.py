"""Seed the SLA policies of DESIGN.md and the default Asia/Shanghai calendar.

The models moved to the ``sla`` app later (``tickets.0011``, ``sla.0001``);
at this point of the history they still belong to ``tickets``.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from sla.seed import seed as seed_sla

    seed_sla(apps, app_label="tickets")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_sla")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
