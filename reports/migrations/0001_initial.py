"""``view_reports`` leaves ``Ticket.Meta`` for the reports area.

The permission row is moved, not recreated, so every group and user it was
granted to keeps it.
"""

from django.db import migrations, models


def take_permission(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    holder, _created = content_type.objects.get_or_create(app_label="reports", model="reportaccess")
    if permission.objects.filter(content_type=holder, codename="view_reports").exists():
        return
    permission.objects.filter(
        content_type__app_label="tickets", codename="view_reports"
    ).update(content_type=holder)


def give_back_permission(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    ticket = content_type.objects.filter(app_label="tickets", model="ticket").first()
    if ticket is not None:
        permission.objects.filter(
            content_type__app_label="reports", codename="view_reports"
        ).update(content_type=ticket)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("tickets", "0012_field_limits_and_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ],
            options={
                'permissions': [('view_reports', 'Can read manager reports')],
                'managed': False,
                'default_permissions': (),
            },
        ),
        migrations.RunPython(take_permission, give_back_permission),
    ]
