"""The working minutes each clock took, for the reports (``tickets/clocks.py`` fills them
when the response clock stops and at every resolution).

Nothing is computed here: adding two empty columns is instant on any desk. Tickets
accepted or resolved before this migration get theirs from
``manage.py backfill_report_minutes`` (batches of short transactions).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0018_site_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='resolution_minutes',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='resolution time (working minutes)'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='response_minutes',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='response time (working minutes)'),
        ),
    ]
