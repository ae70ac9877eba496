"""The migration linter of ``make test`` (``tests/ops/migration_lint.py``): the tree passes,
and a new migration that the running release would not survive fails.

The unsafe and safe migrations are written into a throw-away app of the test's own (a
package in a temporary folder, installed for the test), after a first migration that
creates its table; the linter reads their SQL from ``sqlmigrate`` as it reads ours.
"""

from __future__ import annotations

import textwrap
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.test import override_settings

from tests.ops import migration_lint
from tests.ops.migration_lint import HOT_TABLE_LOCK, has_long_lock_on_hot_table, lint

pytestmark = pytest.mark.django_db

INITIAL = """
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("tickets", "__latest__")]
    operations = [
        migrations.CreateModel(
            name="Gadget",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=20)),
                ("note", models.TextField(blank=True)),
            ],
        ),
    ]
"""

SECOND = """
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

{imports}


{functions}


class Migration(migrations.Migration):
    atomic = {atomic}
    dependencies = [("{label}", "0001_initial")]
    operations = [
        {operation},
    ]
"""

DROP_CHECK = "ALTER TABLE tickets_ticket DROP CONSTRAINT probe_title"


def run_sql(forward: str, backward: str) -> str:
    return f"migrations.RunSQL({forward!r}, {backward!r})"


# name: (operation, the error codes the linter must report)
UNSAFE = {
    "add_not_null_column": (
        'migrations.AddField("gadget", "serial", models.CharField(max_length=20, default="?"),'
        " preserve_default=False)",
        {"NOT_NULL"},
    ),
    "drop_column": ('migrations.RemoveField("gadget", "note")', {"DROP_COLUMN"}),
    "rename_column": ('migrations.RenameField("gadget", "note", "remark")', {"RENAME_COLUMN"}),
    "narrow_column": (
        'migrations.AlterField("gadget", "note", models.CharField(max_length=10, blank=True))',
        {"ALTER_COLUMN"},
    ),
    "index_on_tickets": (
        run_sql(
            "CREATE INDEX probe_by_title ON tickets_ticket (title)", "DROP INDEX probe_by_title"
        ),
        {HOT_TABLE_LOCK},
    ),
    "index_if_not_exists_on_events": (
        run_sql(
            "CREATE INDEX IF NOT EXISTS probe_by_kind\n    ON tickets_ticketevent (kind)",
            "DROP INDEX probe_by_kind",
        ),
        {HOT_TABLE_LOCK},
    ),
    "check_constraint_on_tickets": (
        run_sql(
            "ALTER TABLE tickets_ticket ADD CONSTRAINT probe_title CHECK (title <> '')",
            DROP_CHECK,
        ),
        {HOT_TABLE_LOCK},
    ),
    "set_not_null_on_tickets": (
        run_sql(
            "ALTER TABLE tickets_ticket ALTER COLUMN closed_at SET NOT NULL",
            "ALTER TABLE tickets_ticket ALTER COLUMN closed_at DROP NOT NULL",
        ),
        {HOT_TABLE_LOCK},
    ),
    "data_migration_imports_a_model": (
        "migrations.RunPython(close_all, migrations.RunPython.noop)",
        {"RUNPYTHON_MODEL_IMPORT"},
    ),
}
SAFE = {
    "add_nullable_column": (
        'migrations.AddField("gadget", "serial", models.CharField(max_length=20, null=True))'
    ),
    "add_column_with_database_default": (
        'migrations.AddField("gadget", "serial", models.CharField(max_length=20, db_default=""))'
    ),
    "index_concurrently_on_tickets": run_sql(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS probe_by_title ON tickets_ticket (title)",
        "DROP INDEX CONCURRENTLY IF EXISTS probe_by_title",
    ),
    "check_constraint_not_valid_on_tickets": run_sql(
        "ALTER TABLE tickets_ticket ADD CONSTRAINT probe_title CHECK (title <> '') NOT VALID",
        DROP_CHECK,
    ),
    "index_concurrently_on_own_table": (
        'AddIndexConcurrently("gadget", models.Index(fields=["name"], name="probe_by_name"))'
    ),
    "data_migration_through_the_app_registry": (
        "migrations.RunPython(name_all, migrations.RunPython.noop)"
    ),
}
NON_ATOMIC = {"index_concurrently_on_tickets", "index_concurrently_on_own_table"}


def _functions(label: str) -> tuple[str, str]:
    imports = "from tickets.models import Ticket"
    functions = textwrap.dedent(f'''
        def close_all(apps, schema_editor):
            Ticket.objects.update(title="closed")


        def name_all(apps, schema_editor):
            Gadget = apps.get_model("{label}", "Gadget")
            Gadget.objects.update(name="gadget")
    ''')
    return imports, functions


@pytest.fixture
def probe_app(tmp_path, monkeypatch):
    """``probe_app(name, operation)``: an installed throw-away app whose second migration
    has that operation; returns its label."""
    installed = []

    def make(name: str, operation: str) -> str:
        label = f"lintprobe_{uuid.uuid4().hex[:8]}"
        package = tmp_path / label
        (package / "migrations").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "models.py").write_text("")
        (package / "migrations" / "__init__.py").write_text("")
        (package / "migrations" / "0001_initial.py").write_text(INITIAL)
        imports, functions = _functions(label)
        (package / "migrations" / f"0002_{name}.py").write_text(
            SECOND.format(
                label=label,
                operation=operation,
                imports=imports,
                functions=functions,
                atomic=name not in NON_ATOMIC,
            )
        )
        installed.append(label)
        return label

    monkeypatch.syspath_prepend(str(tmp_path))
    return make


def _lint_app(label: str) -> migration_lint.Result:
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, label]):
        return lint(include_apps=[label])


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_a_new_migration_the_running_release_would_not_survive_fails(probe_app, name):
    # given: an app whose new migration is not safe while the old code still serves
    operation, codes = UNSAFE[name]
    label = probe_app(name, operation)

    # when
    result = _lint_app(label)

    # then: that migration fails, for that reason; its first one (a new table) passes
    assert list(result.failed) == [f"{label}.0002_{name}"], result.output
    assert codes <= set(result.failed[f"{label}.0002_{name}"]), result.output
    assert result.linted - len(result.ignored) == 2


@pytest.mark.parametrize(
    "name",
    [
        # (sqlmigrate refuses a concurrent operation inside the test's transaction)
        pytest.param(name, marks=pytest.mark.django_db(transaction=True))
        if name == "index_concurrently_on_own_table"
        else name
        for name in sorted(SAFE)
    ],
)
def test_the_safe_way_to_do_the_same_passes(probe_app, name):
    # given
    label = probe_app(name, SAFE[name])

    # when
    result = _lint_app(label)

    # then
    assert result.ok, result.output
    assert result.linted - len(result.ignored) == 2


def test_the_tree_passes_with_only_the_released_migrations_ignored():
    # when: every migration on disk is linted with the settings' options
    result = lint()

    # then: none fails
    assert result.ok, result.output
    # and: every name on the released list is exactly one of our migrations (a new
    # migration of the same name in another app would slip through unlinted), and
    # everything else of ours was linted
    options = migration_lint.options()
    excluded = set(options["exclude_apps"])
    ours = [name for name in result.ignored if name.split(".")[0] not in excluded]
    assert Counter(name.split(".", 1)[1] for name in ours) == Counter(options["ignore_name"])
    assert result.linted - len(result.ignored) > 30


@pytest.mark.parametrize(
    ("sql", "locks"),
    [
        ('CREATE INDEX "t_by_state" ON "tickets_ticket" ("state");', True),
        ("CREATE UNIQUE INDEX t_one ON ONLY tickets_message (ticket_id, at);", True),
        ('CREATE INDEX "t_by_state" ON "tickets_ticketcounter" ("state");', False),
        ('CREATE INDEX CONCURRENTLY "t_by_state" ON "tickets_ticket" ("state");', False),
        ('ALTER TABLE "reports_ticketfact" ADD CONSTRAINT "f" FOREIGN KEY ("site_id") '
         'REFERENCES "accounts_site" ("id") DEFERRABLE INITIALLY DEFERRED;', True),
        ('ALTER TABLE "reports_ticketfact" ADD CONSTRAINT "f" FOREIGN KEY ("site_id") '
         'REFERENCES "accounts_site" ("id") NOT VALID;', False),
        ("ALTER TABLE tickets_ticket ADD CONSTRAINT u UNIQUE USING INDEX t_u;", False),
        ('ALTER TABLE "tickets_ticket" ADD COLUMN "x" integer NULL;', False),
        ("LOCK TABLE tickets_slaevent IN ACCESS EXCLUSIVE MODE;", True),
    ],
    ids=lambda value: value if isinstance(value, bool) else value[:48],
)  # fmt: skip
def test_the_hot_table_check_knows_which_statements_lock_a_ticket_table(sql, locks):
    assert has_long_lock_on_hot_table([sql]) is locks


def test_a_hot_table_created_in_the_same_migration_may_be_indexed_at_once():
    created = [
        'CREATE TABLE "tickets_slaevent" ("id" bigint NOT NULL PRIMARY KEY);',
        'CREATE INDEX "e_by_ticket" ON "tickets_slaevent" ("ticket_id");',
    ]
    assert has_long_lock_on_hot_table(created) is False
    assert has_long_lock_on_hot_table(created[1:]) is True
