"""The migration linter of ``make test``: every migration must be safe to apply while the
previous release still serves (docs/operations.md, "Zero-downtime migrations").

django-migration-linter reads the SQL of each migration (``sqlmigrate``) and fails on
what breaks the old code — a ``NOT NULL`` column without a default, a dropped or renamed
column or table, a narrowed type, a unique constraint on an existing table — and on data
migrations that import model classes. This module adds one check of ours on top: no long
lock on the tables that grow with the tickets (``HOT_TABLES``).

Its configuration is ``settings.MIGRATION_LINTER_OPTIONS``: the third-party apps it skips
and the released migrations it would flag (they ran on every desk long ago; the list is
closed). Run ``python -m tests.ops.migration_lint`` (``make test`` does) against any
database the migrations can be read from; it exits 1 when a migration fails.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The tables that grow with the tickets: a statement that holds a lock on one of them for
# as long as it scans or rewrites the table stops filing, replies and the SLA sweeps.
HOT_TABLES = (
    "tickets_ticket",
    "tickets_ticketevent",
    "tickets_message",
    "tickets_attachment",
    "tickets_slaevent",
    "tickets_notification",
    "reports_ticketfact",
)
HOT_TABLE_LOCK = "HOT_TABLE_LOCK"

_HOT = "|".join(HOT_TABLES)
_TABLE = rf'(?:IF EXISTS )?(?:ONLY )?"?({_HOT})"?(?=[ (]|$)'
# Statements that lock a hot table while they scan or rewrite it.
_LONG_LOCKS = (
    # builds the index under a SHARE lock: no INSERT / UPDATE until it is done
    re.compile(rf"^CREATE (?:UNIQUE )?INDEX (?!CONCURRENTLY)(?:\S+ )*?ON {_TABLE}", re.I),
    # validates every row under the lock (add it NOT VALID, VALIDATE in a later migration;
    # a unique one USING INDEX built CONCURRENTLY)
    re.compile(rf"^ALTER TABLE {_TABLE} ADD CONSTRAINT (?!.*(?:NOT VALID|USING INDEX))", re.I),
    # scans every row under ACCESS EXCLUSIVE (a CHECK … IS NOT NULL NOT VALID first)
    re.compile(rf"^ALTER TABLE {_TABLE} ALTER COLUMN \S+ SET NOT NULL", re.I),
    re.compile(rf"^LOCK (?:TABLE )?{_TABLE}", re.I),
    re.compile(rf"^(?:VACUUM FULL|CLUSTER) {_TABLE}", re.I),
)


def _table_created(statements: list[str], table: str) -> bool:
    created = re.compile(rf'^CREATE TABLE (?:IF NOT EXISTS )?"?{table}"?[ (]', re.I)
    return any(created.match(sql) for sql in statements)


def has_long_lock_on_hot_table(sql_statements: list[str], **_: Any) -> bool:
    """A statement of the migration holds a long lock on an existing hot table (one the
    migration did not create itself)."""
    # sqlmigrate's lines, a raw SQL operation's statement spread over several of them
    text = " ".join(line for line in sql_statements if not line.lstrip().startswith("--"))
    statements = [re.sub(r"\s+", " ", sql).strip() for sql in text.split(";")]
    for sql in statements:
        for pattern in _LONG_LOCKS:
            found = pattern.search(sql)
            if found and not _table_created(statements, found.group(1)):
                return True
    return False


def _analyser() -> type:
    from django_migration_linter.sql_analyser.base import Check, CheckMode, CheckType
    from django_migration_linter.sql_analyser.postgresql import PostgresqlAnalyser

    class ZeroDowntimeAnalyser(PostgresqlAnalyser):
        """The linter's PostgreSQL checks and ours."""

        migration_checks = [
            *PostgresqlAnalyser.migration_checks,
            Check(
                code=HOT_TABLE_LOCK,
                fn=has_long_lock_on_hot_table,
                message=(
                    "long lock on a ticket table ("
                    + ", ".join(HOT_TABLES)
                    + "): CREATE INDEX without CONCURRENTLY, a constraint without NOT VALID,"
                    " SET NOT NULL, LOCK TABLE, VACUUM FULL, CLUSTER"
                ),
                mode=CheckMode.TRANSACTION,
                type=CheckType.ERROR,
            ),
        ]

    return ZeroDowntimeAnalyser


@dataclass
class Result:
    failed: dict[str, list[str]]  # "app_label.migration_name": the codes of its errors
    ignored: list[str]  # "app_label.migration_name" not linted (excluded app, released list)
    linted: int
    output: str

    @property
    def ok(self) -> bool:
        return not self.failed


def options() -> dict[str, Any]:
    from django.conf import settings

    return dict(getattr(settings, "MIGRATION_LINTER_OPTIONS", {}))


def lint(
    *, include_apps: Iterable[str] | None = None, ignore_name: Iterable[str] | None = None
) -> Result:
    """Lint every migration on disk (only ``include_apps``' when given) with the settings'
    options; ``ignore_name`` replaces their list of released migrations."""
    from django_migration_linter import MigrationLinter
    from django_migration_linter.sql_analyser.postgresql import PostgresqlAnalyser

    config = options()
    linter = MigrationLinter(
        include_apps=list(include_apps) if include_apps else None,
        exclude_apps=None if include_apps else config.get("exclude_apps"),
        ignore_name=list(ignore_name if ignore_name is not None else config.get("ignore_name", ())),
        exclude_migration_tests=config.get("exclude_migration_tests"),
        warnings_as_errors_tests=config.get("warnings_as_errors"),
        no_cache=True,
        quiet=["ok", "ignore"],
    )
    ours = _analyser()
    linter.sql_analyser_class = ours
    failed: dict[str, list[str]] = {}
    ignored: list[str] = []
    current = [""]
    print_linting_msg, print_errors, lint_runsql = (
        linter.print_linting_msg,
        linter.print_errors,
        linter.lint_runsql,
    )

    def note_result(app_label: str, name: str, msg: str, kind: Any) -> None:
        current[0] = f"{app_label}.{name}"
        if kind.value == "error":
            failed[current[0]] = []
        elif msg == "IGNORE":
            ignored.append(current[0])
        print_linting_msg(app_label, name, msg, kind)

    def note_errors(errors: list[Any]) -> None:
        if current[0] in failed:  # (not the excluded checks of a migration that passed)
            failed[current[0]] += [error.code for error in errors]
        print_errors(errors)

    def lint_runsql_alone(runsql: Any) -> Any:
        # sqlmigrate's output (linted with our checks) holds a RunSQL's statements beside
        # the rest of its migration, such as the table it creates; this second look at
        # the RunSQL alone keeps to the linter's own checks
        linter.sql_analyser_class = PostgresqlAnalyser
        try:
            return lint_runsql(runsql)
        finally:
            linter.sql_analyser_class = ours

    linter.print_linting_msg = note_result  # type: ignore[method-assign, assignment]
    linter.print_errors = note_errors  # type: ignore[method-assign]
    linter.lint_runsql = lint_runsql_alone  # type: ignore[method-assign]
    chatty = logging.getLogger("django_migration_linter")
    level = chatty.level
    chatty.setLevel(logging.WARNING)  # not a line per sqlmigrate call
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            linter.lint_all_migrations()
            linter.print_summary()
    finally:
        chatty.setLevel(level)
    return Result(failed=failed, ignored=ignored, linted=linter.nb_total, output=out.getvalue())


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    import django

    django.setup()
    result = lint()
    sys.stdout.write(result.output)
    if not result.ok:
        sys.stdout.write(
            "\nmigration linter: not safe under the running release: "
            + ", ".join(result.failed)
            + "\nsee docs/operations.md, 'Zero-downtime migrations'\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
