"""The SLA models and the notification outbox leave ``tickets`` for apps of their own.

No data moves: ``BusinessCalendar``, ``CalendarDay``, ``SiteCalendar``,
``SlaPolicy`` and ``Notification`` keep their tables; this migration only
removes them from ``tickets``' state (``sla.0001`` and ``notifications.0001``
take them over). The outbox must know nothing of tickets, so its foreign key
to the ticket becomes the link to open (``/tickets/<number>/``), filled here
from the ticket before the column goes.
"""

from django.db import migrations, models, transaction

# The link is filled in batches of ids, each its own short transaction: a desk with
# millions of notifications keeps sending new ones while this runs (one UPDATE of every
# row held the table for about 50 s per 2 million rows). The migration is therefore not
# atomic; every step is safe to run again.
BATCH = 20_000


def _in_batches(schema_editor, sql):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM tickets_notification")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(sql, [start, start + BATCH])


def links_from_tickets(apps, schema_editor):
    _in_batches(
        schema_editor,
        "UPDATE tickets_notification AS n SET link = '/tickets/' || t.number || '/' "
        "FROM tickets_ticket AS t WHERE n.ticket_id = t.id AND n.id >= %s AND n.id < %s",
    )


def tickets_from_links(apps, schema_editor):
    _in_batches(
        schema_editor,
        "UPDATE tickets_notification AS n SET ticket_id = t.id FROM tickets_ticket AS t "
        "WHERE n.link = '/tickets/' || t.number || '/' AND n.id >= %s AND n.id < %s",
    )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0010_ticket_autovacuum")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="link",
            field=models.CharField(blank=True, default="", max_length=500),
        ),
        migrations.RunPython(links_from_tickets, tickets_from_links),
        migrations.RemoveField(model_name="notification", name="ticket"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="SiteCalendar"),
                migrations.DeleteModel(name="SlaPolicy"),
                migrations.DeleteModel(name="BusinessCalendar"),
            ],
            database_operations=[],
        ),
    ]
