"""Each engineer's open load (``people.models.EngineerLoad``), kept exact by a trigger on
``tickets_ticket``.

1. the table;
2. ``people_engineerload_sync()``: a ticket counts for its assignee while it is open, with
   its priority's weight (high 3, medium 2, low 1, as ``people.selectors.LOAD_WEIGHTS``).
   After an insert, a delete, or an update that changed the assignee, the state or the
   priority, the old contribution is taken off and the new one added in one upsert, the
   engineers in id order (two reassignments in opposite directions lock the rows in the
   same order: no deadlock), and nothing is written when the two cancel out (a transition
   between open states). It runs inside the statement that wrote the ticket, so the
   counts commit or roll back with it whatever the path;
3. ``people_engineerload_refresh()``: recounts every engineer from the tickets (the
   backfill here; after a bulk load with triggers off, or a ``TRUNCATE``, which fires no
   row trigger). Creating the triggers locks ``tickets_ticket`` against writes until this
   migration commits, so no ticket changes between the backfill and the triggers.

Reversing drops the triggers, the functions and the table.
"""

from django.conf import settings
from django.db import migrations, models

# The SQL below is assembled from this file's constants only (no input): S608 does not apply.
# ruff: noqa: S608

# tickets.choices.OPEN_STATES as they are when this migration is written.
OPEN = "('accepted', 'diagnosed', 'resolved', 'submitted')"


def _weight(priority):
    return f"(CASE {priority} WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)"


FORWARD = [
    f"""
    CREATE FUNCTION people_engineerload_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_id bigint;
        old_weight integer := 0;
        new_id bigint;
        new_weight integer := 0;
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF OLD.assignee_id IS NOT NULL AND OLD.state IN {OPEN} THEN
                old_id := OLD.assignee_id;
                old_weight := {_weight("OLD.priority")};
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.assignee_id IS NOT NULL AND NEW.state IN {OPEN} THEN
                new_id := NEW.assignee_id;
                new_weight := {_weight("NEW.priority")};
            END IF;
        END IF;
        INSERT INTO people_engineerload AS cur (engineer_id, open_tickets, weighted)
        SELECT id, sum(n), sum(w)
        FROM (VALUES (old_id, -1, -old_weight), (new_id, 1, new_weight)) AS d (id, n, w)
        WHERE id IS NOT NULL
        GROUP BY id
        HAVING sum(n) <> 0 OR sum(w) <> 0
        ORDER BY id
        ON CONFLICT (engineer_id) DO UPDATE
        SET open_tickets = cur.open_tickets + EXCLUDED.open_tickets,
            weighted = cur.weighted + EXCLUDED.weighted;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER people_engineerload_on_insert AFTER INSERT ON tickets_ticket
    FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL)
    EXECUTE FUNCTION people_engineerload_sync()
    """,
    """
    CREATE TRIGGER people_engineerload_on_update
    AFTER UPDATE OF assignee_id, state, priority ON tickets_ticket
    FOR EACH ROW WHEN (
        OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.state IS DISTINCT FROM NEW.state
        OR OLD.priority IS DISTINCT FROM NEW.priority
    )
    EXECUTE FUNCTION people_engineerload_sync()
    """,
    """
    CREATE TRIGGER people_engineerload_on_delete AFTER DELETE ON tickets_ticket
    FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL)
    EXECUTE FUNCTION people_engineerload_sync()
    """,
    f"""
    CREATE FUNCTION people_engineerload_refresh() RETURNS void LANGUAGE sql AS $$
        DELETE FROM people_engineerload;
        INSERT INTO people_engineerload (engineer_id, open_tickets, weighted)
        SELECT assignee_id, count(*), sum({_weight("priority")})
        FROM tickets_ticket
        WHERE assignee_id IS NOT NULL AND state IN {OPEN}
        GROUP BY assignee_id;
    $$
    """,
    "SELECT people_engineerload_refresh()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS people_engineerload_on_insert ON tickets_ticket",
    "DROP TRIGGER IF EXISTS people_engineerload_on_update ON tickets_ticket",
    "DROP TRIGGER IF EXISTS people_engineerload_on_delete ON tickets_ticket",
    "DROP FUNCTION IF EXISTS people_engineerload_sync()",
    "DROP FUNCTION IF EXISTS people_engineerload_refresh()",
]


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("people", "0001_initial"),
        ("tickets", "0019_working_minutes"),
    ]

    operations = [
        migrations.CreateModel(
            name="EngineerLoad",
            fields=[
                (
                    "engineer",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="ticket_load",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="engineer",
                    ),
                ),
                ("open_tickets", models.IntegerField(default=0, verbose_name="open tickets")),
                ("weighted", models.IntegerField(default=0, verbose_name="weighted load")),
            ],
            options={"verbose_name": "open load", "verbose_name_plural": "open loads"},
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
