# A cause once per digest window (every writer's row of it), not only once per row: the
# item carries its row's window, and a unique key on it. The columns are nullable (the
# running release's INSERTs leave them empty); the key is a partial unique index over the
# items that have them, built CONCURRENTLY (no write waits; docs/operations.md,
# "Zero-downtime migrations"), the state's conditional UniqueConstraint being exactly that
# index. Items written before keep empty window columns; they are told within minutes.

from django.db import migrations, models

TABLE = "notifications_digestitem"
NAME = "notifications_item_once_per_window"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0003_digests_and_quiet_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="digestitem",
            name="kind",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="digestitem",
            name="person",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="digestitem",
            name="scope",
            field=models.CharField(blank=True, max_length=8, null=True),
        ),
        migrations.AddField(
            model_name="digestitem",
            name="window_start",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="digestitem",
                    constraint=models.UniqueConstraint(
                        fields=("person", "kind", "scope", "window_start", "cause"),
                        name=NAME,
                        condition=models.Q(person__isnull=False),
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {TABLE} "
                    "(person, kind, scope, window_start, cause) WHERE person IS NOT NULL",
                    f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}",
                ),
            ],
        ),
    ]
