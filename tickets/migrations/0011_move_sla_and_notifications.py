"""The SLA models and the notification outbox leave ``tickets`` for apps of their own.

No data moves: ``BusinessCalendar``, ``CalendarDay``, ``SiteCalendar``,
``SlaPolicy`` and ``Notification`` keep their tables; this migration only
removes them from ``tickets``' state (``sla.0001`` and ``notifications.0001``
take them over). The outbox must know nothing of tickets, so its foreign key
to the ticket becomes the link to open (``/tickets/<number>/``), filled here
from the ticket before the column goes.
"""

from django.db import migrations, models


def links_from_tickets(apps, schema_editor):
    schema_editor.execute(
        "UPDATE tickets_notification AS n SET link = '/tickets/' || t.number || '/' "
        "FROM tickets_ticket AS t WHERE n.ticket_id = t.id"
    )


def tickets_from_links(apps, schema_editor):
    schema_editor.execute(
        "UPDATE tickets_notification AS n SET ticket_id = t.id FROM tickets_ticket AS t "
        "WHERE n.link = '/tickets/' || t.number || '/'"
    )


class Migration(migrations.Migration):
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
