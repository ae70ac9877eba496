"""The per-ticket rollup the reports read (``reports.models.facts.TicketFact``), kept exact
by a trigger on ``tickets_ticket``.

1. the table, without its indexes;
2. ``reports_ticketfact_sync()``: upserts the ticket's fact row; two triggers call it,
   after every insert and after an update that changed a column the fact copies (a reply
   that only moves ``last_activity_at`` costs nothing). Both run inside the statement that
   wrote the ticket, so the fact commits or rolls back with it whatever the path: a
   service's ``save()``, ``QuerySet.update()``, ``bulk_create()``, raw SQL. (A session with
   ``session_replication_role = replica``, as ``bench/generate.py``'s bulk load, skips
   triggers and must fill the table itself: ``reports_ticketfact_refresh()`` below.)
3. ``reports_ticketfact_refresh(from_id, to_id)``: (re)writes the facts of an id range with
   the same column list, for backfills; called here for every existing ticket. Creating
   the triggers locks ``tickets_ticket`` against writes until this migration commits, so
   no ticket changes between the backfill and the triggers taking over;
4. its foreign key to the ticket, ``ON DELETE CASCADE`` (Django 5.2 cannot declare it),
   and the indexes, all built after the backfill.

Reversing drops the triggers, the functions and the table.
"""

from django.db import migrations, models

# The SQL below is assembled from this file's constants only (no input): S608 does not apply.
# ruff: noqa: S608

# fact column -> its value from a ticket row (``{t}`` is ``NEW`` or a table alias).
COLUMNS = [
    ("ticket_id", "{t}.id"),
    ("submitted_at", "{t}.submitted_at"),
    ("priority", "{t}.priority"),
    ("category_id", "{t}.category_id"),
    ("site_id", "{t}.site_id"),
    ("channel", "{t}.channel"),
    ("assignee_id", "{t}.assignee_id"),
    ("state", "{t}.state"),
    ("closed_as", "{t}.closed_as"),
    ("response_due_at", "{t}.response_due_at"),
    ("accepted_at", "{t}.accepted_at"),
    ("resolution_due_at", "{t}.resolution_due_at"),
    ("resolved_at", "{t}.resolved_at"),
    ("finished_at", "LEAST({t}.verified_at, {t}.closed_at)"),
    ("on_hold", "({t}.sla_paused_at IS NOT NULL)"),
    ("response_minutes", "{t}.response_minutes"),
    ("resolution_minutes", "{t}.resolution_minutes"),
    ("response_wall_minutes", "date_part('epoch', {t}.accepted_at - {t}.submitted_at) / 60"),
    ("resolution_wall_minutes", "date_part('epoch', {t}.resolved_at - {t}.submitted_at) / 60"),
    ("reopen_count", "{t}.reopen_count"),
]
# The ticket columns those values are made of (an update touching none of them is skipped).
SOURCES = [
    "submitted_at", "priority", "category_id", "site_id", "channel", "assignee_id", "state",
    "closed_as", "response_due_at", "accepted_at", "resolution_due_at", "resolved_at",
    "verified_at", "closed_at", "sla_paused_at", "response_minutes", "resolution_minutes",
    "reopen_count",
]


def _values(alias):
    return ", ".join(expr.format(t=alias) for _, expr in COLUMNS)


NAMES = ", ".join(name for name, _ in COLUMNS)
UPSERT_SET = ", ".join(f"{name} = EXCLUDED.{name}" for name, _ in COLUMNS[1:])
CHANGED = "ROW({old}) IS DISTINCT FROM ROW({new})".format(
    old=", ".join(f"OLD.{c}" for c in SOURCES), new=", ".join(f"NEW.{c}" for c in SOURCES)
)

FORWARD = [
    f"""
    CREATE FUNCTION reports_ticketfact_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO reports_ticketfact ({NAMES}) VALUES ({_values("NEW")})
        ON CONFLICT (ticket_id) DO UPDATE SET {UPSERT_SET};
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER reports_ticketfact_on_insert AFTER INSERT ON tickets_ticket
        FOR EACH ROW EXECUTE FUNCTION reports_ticketfact_sync()
    """,
    f"""
    CREATE TRIGGER reports_ticketfact_on_update AFTER UPDATE ON tickets_ticket
        FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION reports_ticketfact_sync()
    """,
    f"""
    CREATE FUNCTION reports_ticketfact_refresh(from_id bigint, to_id bigint) RETURNS bigint
    LANGUAGE sql AS $$
        WITH written AS (
            INSERT INTO reports_ticketfact ({NAMES})
            SELECT {_values("t")} FROM tickets_ticket t WHERE t.id BETWEEN from_id AND to_id
            ON CONFLICT (ticket_id) DO UPDATE SET {UPSERT_SET}
            RETURNING 1
        )
        SELECT count(*) FROM written
    $$
    """,
    "SELECT reports_ticketfact_refresh(0, 9223372036854775807)",
    # After the backfill: checked in one pass, not row by row at commit (deferred checks
    # pending would also forbid the CREATE INDEX that follows in this transaction).
    """
    ALTER TABLE reports_ticketfact ADD CONSTRAINT reports_ticketfact_ticket_fk
        FOREIGN KEY (ticket_id) REFERENCES tickets_ticket (id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS reports_ticketfact_on_update ON tickets_ticket",
    "DROP TRIGGER IF EXISTS reports_ticketfact_on_insert ON tickets_ticket",
    "DROP FUNCTION IF EXISTS reports_ticketfact_refresh(bigint, bigint)",
    "DROP FUNCTION IF EXISTS reports_ticketfact_sync()",
    "ALTER TABLE reports_ticketfact DROP CONSTRAINT IF EXISTS reports_ticketfact_ticket_fk",
]


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("tickets", "0019_working_minutes")]

    operations = [
        migrations.CreateModel(
            name='TicketFact',
            fields=[
                ('ticket', models.OneToOneField(db_constraint=False, on_delete=models.deletion.DO_NOTHING, primary_key=True, related_name='fact', serialize=False, to='tickets.ticket')),
                ('submitted_at', models.DateTimeField()),
                ('priority', models.CharField(max_length=8)),
                ('category_id', models.BigIntegerField()),
                ('site_id', models.BigIntegerField(null=True)),
                ('channel', models.CharField(max_length=16)),
                ('assignee_id', models.BigIntegerField(null=True)),
                ('state', models.CharField(max_length=16)),
                ('closed_as', models.CharField(blank=True, max_length=16)),
                ('response_due_at', models.DateTimeField(null=True)),
                ('accepted_at', models.DateTimeField(null=True)),
                ('resolution_due_at', models.DateTimeField(null=True)),
                ('resolved_at', models.DateTimeField(null=True)),
                ('finished_at', models.DateTimeField(null=True)),
                ('on_hold', models.BooleanField(default=False)),
                ('response_minutes', models.IntegerField(null=True)),
                ('resolution_minutes', models.IntegerField(null=True)),
                ('response_wall_minutes', models.FloatField(null=True)),
                ('resolution_wall_minutes', models.FloatField(null=True)),
                ('reopen_count', models.SmallIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'ticket fact',
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddIndex(
            model_name='ticketfact',
            index=models.Index(fields=['submitted_at'], name='reports_fact_submitted'),
        ),
        migrations.AddIndex(
            model_name='ticketfact',
            index=models.Index(fields=['priority', 'submitted_at'], name='reports_fact_priority'),
        ),
        migrations.AddIndex(
            model_name='ticketfact',
            index=models.Index(fields=['site_id', 'submitted_at'], name='reports_fact_site'),
        ),
        migrations.AddIndex(
            model_name='ticketfact',
            index=models.Index(fields=['finished_at'], name='reports_fact_finished'),
        ),
        migrations.AddIndex(
            model_name='ticketfact',
            index=models.Index(condition=models.Q(('finished_at__isnull', True)), fields=['submitted_at'], name='reports_fact_open'),
        ),
    ]
