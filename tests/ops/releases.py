"""The desks of past releases, kept for the upgrade test (``tests/ops/test_upgrade.py``).

Each release leaves two files in ``deploy/releases/``:

``<release>.dump``  the demo desk as that release made it: a fresh database migrated to the
                    release's head with ``manage.py load_demo`` in it, dumped with
                    ``pg_dump --format=custom`` (compressed);
``<release>.json``  its manifest: the release, when and from which commit it was cut (and
                    whether the tree had changes not committed yet), the dump's size and
                    SHA-256, the head migration of every app, the row count of every
                    table, and the SLA columns of every open ticket.

``make release-dump VERSION=v0.2.0`` (``python -m tests.ops.releases cut v0.2.0``) cuts
one, on the commit that is tagged: the database is made beside ``DATABASE_URL``'s (same
server, own name) and dropped afterwards. The test never reads git: a clone without tags
or history has every release it needs in this folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
RELEASES = REPO / "deploy" / "releases"
FORMAT = 1
RELEASE_NAME = re.compile(r"^v\d+\.\d+\.\d+(?:[.-][0-9A-Za-z]+)*$")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/servicedesk"
# The SLA state of a ticket as the sweeps read and write it.
SLA_COLUMNS = (
    "state",
    "priority",
    "response_warn_at",
    "response_due_at",
    "response_breached_at",
    "resolution_warn_at",
    "resolution_due_at",
    "resolution_breached_at",
    "sla_paused_at",
    "sla_next_check_at",
)
OPEN_STATES = ("submitted", "accepted", "diagnosed", "resolved")
# Processes of the cut and the test publish no task: a broker nobody listens on.
NO_BROKER = "redis://127.0.0.1:9/0"


class ReleaseError(Exception):
    pass


def database_url(name: str, base: str | None = None) -> str:
    """``base`` (``DATABASE_URL``) with another database name."""
    parts = urlsplit(base or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(database_url("postgres", url), autocommit=True)


@contextmanager
def scratch_database(prefix: str, base: str | None = None) -> Iterator[str]:
    """A new, empty database on ``base``'s server; its URL. Dropped afterwards."""
    base = base or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"[:63]
    with _admin(base) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(name, base)
    finally:
        with _admin(base) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def manage(url: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``manage.py args`` in its own process against the database of ``url``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
        "DATABASE_URL": url,
        "REDIS_URL": NO_BROKER,
        "CELERY_BROKER_URL": NO_BROKER,
        "EMAIL_URL": "locmem://",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise ReleaseError(
            f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ReleaseError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return found


def dump(url: str, target: Path) -> None:
    subprocess.run(  # noqa: S603 - fixed program, our own arguments
        [_program("pg_dump"), "--format=custom", "--compress=9", "--no-owner"]
        + ["--no-privileges", f"--file={target}", f"--dbname={url}"],
        check=True,
        capture_output=True,
    )


def restore(source: Path, url: str) -> None:
    """Restore a release dump into the empty database of ``url``, in one transaction."""
    done = subprocess.run(  # noqa: S603 - fixed program, our own arguments
        [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        + ["--single-transaction", f"--dbname={url}", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ReleaseError(f"pg_restore {source.name} failed: {done.stderr[-3000:]}")


def count_rows(url: str) -> dict[str, int]:
    """Every table of the public schema and its exact row count."""
    with psycopg.connect(url) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {}
        for name in names:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
            counts[name] = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


def migration_heads(url: str) -> dict[str, str]:
    """The last applied migration of every app (they are numbered)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app")
        return dict(sorted(rows))


def open_tickets(url: str) -> dict[str, dict[str, str | None]]:
    """Every open ticket's SLA columns, by number (times in ISO 8601, UTC)."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in SLA_COLUMNS)
    query = sql.SQL(
        "SELECT number, {} FROM tickets_ticket WHERE state = ANY(%s) ORDER BY number"
    ).format(columns)
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        return {
            number: dict(zip(SLA_COLUMNS, (plain(v) for v in values), strict=True))
            for number, *values in conn.execute(query, [list(OPEN_STATES)])
        }


def plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return str(value)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, our own arguments
            [_program("git"), *args], cwd=REPO, capture_output=True, text=True, check=True
        )
    except (ReleaseError, OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def source() -> dict[str, Any]:
    """The commit checked out, and whether the tree differed from it (outside this folder)."""
    changed = _git("status", "--porcelain", "--", ".", f":!{RELEASES.relative_to(REPO)}")
    return {"commit": _git("rev-parse", "HEAD") or None, "modified": bool(changed)}


def cut(release: str, folder: Path = RELEASES, *, force: bool = False) -> Path:
    """Make ``<release>.dump`` and ``<release>.json`` from the code checked out now; the
    manifest's path."""
    if not RELEASE_NAME.match(release):
        raise ReleaseError(f"{release!r} is not a release name such as v0.2.0")
    target, manifest_path = folder / f"{release}.dump", folder / f"{release}.json"
    if not force and (target.exists() or manifest_path.exists()):
        raise ReleaseError(f"{target.name} exists: a release's desk is never cut twice")
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"{database_name(os.environ.get('DATABASE_URL') or DEFAULT_DATABASE_URL)}_release"
    with scratch_database(prefix) as url:
        manage(url, "migrate", "--noinput")
        manage(url, "load_demo")
        partial = target.with_suffix(".dump.partial")
        dump(url, partial)
        manifest = {
            "format": FORMAT,
            "release": release,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": source(),
            "dump": {"file": target.name, "bytes": partial.stat().st_size, "sha256": ""},
            "migrations": migration_heads(url),
            "tables": count_rows(url),
            "open_tickets": open_tickets(url),
        }
    manifest["dump"]["sha256"] = sha256(partial)  # type: ignore[index]
    partial.replace(target)
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest_path


def manifests(folder: Path = RELEASES) -> list[Path]:
    """Every release's manifest, oldest release first."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.stem))

    return sorted(folder.glob("v*.json"), key=version)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[0] != "cut" or argv[2:] not in ([], ["--force"]):
        sys.stderr.write("usage: python -m tests.ops.releases cut vX.Y.Z [--force]\n")
        return 2
    try:
        path = cut(argv[1], force=argv[2:] == ["--force"])
    except ReleaseError as exc:
        sys.stderr.write(f"release-dump: {exc}\n")
        return 1
    manifest = json.loads(path.read_text())
    rows = sum(manifest["tables"].values())
    size = manifest["dump"]["bytes"]
    sys.stdout.write(
        f"release-dump: {manifest['dump']['file']} ({size / 1024:.0f} KiB, {rows} rows in "
        f"{len(manifest['tables'])} tables, {len(manifest['open_tickets'])} open tickets) "
        f"and {path.name} in {path.parent.relative_to(REPO)}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
