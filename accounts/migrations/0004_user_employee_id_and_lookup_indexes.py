"""Employee IDs (工号), the phone's digits, and the indexes of the caller lookup and the IM
intake (partial: an empty id is never looked up)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_site_contacts_and_staff_sites"),
        ("auth", "0012_alter_user_first_name_max_length"),
        # The trigram indexes below use pg_trgm, which tickets.0014 creates (and drops when
        # unapplied): after it going forward, and so undone before it going back.
        ("tickets", "0014_search_links_watchers_canned_views"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="employee_id",
            field=models.CharField(
                blank=True,
                help_text="The staff number on the badge; unique when given (letter case aside).",
                max_length=32,
                verbose_name="employee ID",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_digits",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.F("phone"),
                    models.Value("[^0-9]+"),
                    models.Value(""),
                    models.Value("g"),
                    function="REGEXP_REPLACE",
                ),
                output_field=models.CharField(max_length=32),
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("wecom_id", ""), _negated=True),
                fields=["wecom_id"],
                name="user_wecom_id",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("dingtalk_id", ""), _negated=True),
                fields=["dingtalk_id"],
                name="user_dingtalk_id",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("feishu_id", ""), _negated=True),
                fields=["feishu_id"],
                name="user_feishu_id",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("slack_id", ""), _negated=True),
                fields=["slack_id"],
                name="user_slack_id",
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["display_name"], name="user_display_name_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["username"], name="user_username_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["first_name"], name="user_first_name_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["last_name"], name="user_last_name_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="user",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["phone_digits"], name="user_phone_digits_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Upper("employee_id"),
                condition=models.Q(("employee_id", ""), _negated=True),
                name="accounts_user_employee_id_unique",
                violation_error_message="Another person already has this employee ID.",
            ),
        ),
    ]
