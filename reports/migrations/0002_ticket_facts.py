"""The per-ticket rollup the reports read (filled by the reports engine)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("tickets", "0018_site_indexes")]

    operations: list[migrations.operations.base.Operation] = []
