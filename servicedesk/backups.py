"""Backups that restore: one file holding the database, the uploaded files and a manifest.

``manage.py backup`` (``make backup``) writes ``servicedesk-<UTC time>.tar`` with

- ``database.dump``: ``pg_dump --format=custom`` (compressed; any table restorable alone);
- ``media.tar.gz``: every file under ``MEDIA_ROOT`` (the attachments);
- ``manifest.json``: the row count of every table and the size and SHA-256 of every media
  file, and the SHA-256 of the two parts.

The row counts are read in the very snapshot ``pg_dump`` dumps (a repeatable-read
transaction exports it, ``pg_dump --snapshot`` uses it), so they describe the dump exactly
while the desk keeps working. Files are archived after the snapshot: every attachment the
dumped rows name was written before its row committed.

``manage.py restore FILE`` (``make restore FILE=…``) restores into the database of
``DATABASE_URL`` and the folder of ``MEDIA_ROOT``, and refuses unless both are empty (no
table; no file): it never merges into, nor overwrites, a desk. It checks both parts'
checksums first, restores in one transaction (``pg_restore --single-transaction``),
unpacks the files, then counts every table and hashes every file again and fails, naming
them, if anything differs from the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Why a backup or a restore stopped (shown to the operator as it is)."""


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    files: int


def backup(folder: Path) -> Path:
    """Write a backup into ``folder``; the path of the new file."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"servicedesk-{stamp}.tar"
    with tempfile.TemporaryDirectory(prefix="servicedesk-backup-") as work_dir:
        work = Path(work_dir)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            tables = count_rows()
            _pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges")(
                f"--snapshot={snapshot}", f"--file={work / DUMP}"
            )
        media = _archive_media(Path(settings.MEDIA_ROOT), work / MEDIA)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.settings_dict["NAME"],
            "tables": tables,
            "media": media,
            "parts": {DUMP: _sha256(work / DUMP), MEDIA: _sha256(work / MEDIA)},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = target.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as bundle:
            for name in (MANIFEST, DUMP, MEDIA):
                bundle.add(work / name, arcname=name)
        partial.replace(target)
    return target


def restore(path: Path) -> Restored:
    """Restore ``path`` into the configured database and media folder (both empty)."""
    media_root = Path(settings.MEDIA_ROOT)
    _refuse_unless_empty(media_root)
    with tempfile.TemporaryDirectory(prefix="servicedesk-restore-") as work_dir:
        work = Path(work_dir)
        manifest = _unpack(path, work)
        _pg("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error")(
            "--single-transaction", f"--dbname={_dbname()}", str(work / DUMP)
        )
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(work / MEDIA, "r:gz") as files:
            files.extractall(media_root, filter="data")
    _verify(manifest, media_root)
    tables: dict[str, int] = manifest["tables"]
    return Restored(len(tables), sum(tables.values()), len(manifest["media"]))


def count_rows() -> dict[str, int]:
    """Every table of the desk's schema and its exact row count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        names = [name for (name,) in cursor.fetchall()]
        counts = {}
        for name in names:
            # Names come from the catalogue; quoted as identifiers.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = int(cursor.fetchone()[0])
    return counts


def media_files(root: Path) -> Iterator[Path]:
    if root.exists():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def _archive_media(root: Path, target: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    with tarfile.open(target, "w:gz") as archive:
        for path in media_files(root):
            name = path.relative_to(root).as_posix()
            found[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
            archive.add(path, arcname=name, recursive=False)
    return found


def _unpack(path: Path, work: Path) -> dict[str, Any]:
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    try:
        with tarfile.open(path, "r") as bundle:
            bundle.extractall(work, members=_parts(bundle), filter="data")
    except (tarfile.TarError, KeyError) as exc:
        raise BackupError(f"{path} is not a backup of this desk: {exc}") from None
    manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.get('format')!r}, not {FORMAT}")
    for name, expected in manifest["parts"].items():
        if _sha256(work / name) != expected:
            raise BackupError(f"{path}: {name} is damaged (its SHA-256 differs)")
    return manifest


def _parts(bundle: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = [bundle.getmember(name) for name in (MANIFEST, DUMP, MEDIA)]
    if not all(member.isfile() for member in members):
        raise BackupError("a part of the backup is not a file")
    return members


def _refuse_unless_empty(media_root: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%'"
        )
        relations = int(cursor.fetchone()[0])
    connection.close()  # pg_restore is the only client from here on
    name = connection.settings_dict["NAME"]
    if relations:
        raise BackupError(
            f"refusing to restore: database {name!r} is not empty ({relations} tables, "
            "sequences or views). Restore into a new, empty database (createdb) and point "
            "DATABASE_URL at it."
        )
    if next(media_files(media_root), None) is not None:
        raise BackupError(
            f"refusing to restore: the media folder {media_root} holds files. Point "
            "MEDIA_ROOT at a new, empty folder."
        )


def _verify(manifest: dict[str, Any], media_root: Path) -> None:
    wrong: list[str] = []
    counted = count_rows()
    for table, rows in manifest["tables"].items():
        if counted.get(table) != rows:
            wrong.append(f"table {table}: {counted.get(table)} rows, the backup has {rows}")
    for name, expected in manifest["media"].items():
        path = media_root / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            wrong.append(f"file {name}: missing or different")
    if wrong:
        raise BackupError("the restored desk differs from the backup:\n" + "\n".join(wrong))


def _pg(program: str, *fixed: str) -> Any:
    """Run ``program`` (pg_dump, pg_restore) against the configured database."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"{program} not found: install the PostgreSQL client (postgresql-client)")
    conf = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": str(conf["HOST"] or ""),
        "PGPORT": str(conf["PORT"] or ""),
        "PGUSER": str(conf["USER"] or ""),
        "PGPASSWORD": str(conf["PASSWORD"] or ""),
        "PGDATABASE": str(conf["NAME"]),
    }
    if conf["OPTIONS"].get("sslmode"):
        env["PGSSLMODE"] = str(conf["OPTIONS"]["sslmode"])

    def run(*args: str) -> None:
        done = subprocess.run(  # noqa: S603 - fixed program, our own arguments
            [binary, *fixed, *args], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BackupError(f"{program} failed: {done.stderr.strip()[-2000:]}")

    return run


def _dbname() -> str:
    return str(connection.settings_dict["NAME"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
