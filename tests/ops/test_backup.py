"""``manage.py backup`` / ``restore``: a desk with every kind of row and attachments, backed
up, restored by a separate process into a fresh database and media folder, found row for
row and byte for byte; a restore into a desk that is not empty is refused."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from servicedesk import backups
from tickets.models import Attachment
from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]
# A sample of what the demo fills, across the apps (every table is compared anyway).
FILLED = (
    "accounts_user",
    "tickets_ticket",
    "tickets_ticketevent",
    "tickets_message",
    "tickets_attachment",
    "tickets_notification",
    "reports_ticketfact",
    "tickets_slapolicy",
    "assets_asset",
    "django_migrations",
)


def _conninfo(name: str) -> str:
    conf = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or "5432",
        user=conf["USER"] or "",
        password=conf["PASSWORD"] or "",
        dbname=name,
    )


def _url(name: str) -> str:
    conf = connection.settings_dict
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database beside the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(file: Path, database: str, media: Path) -> subprocess.CompletedProcess[str]:
    """``manage.py restore`` as an operator runs it, in its own process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings",
        "DEBUG": "1",
        "SECRET_KEY": "restore-test-not-secret",
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [str(REPO / ".venv" / "bin" / "python"), "manage.py", "restore", str(file)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _counts(database: str) -> dict[str, int]:
    with psycopg.connect(_conninfo(database)) as other:
        names = [
            name
            for (name,) in other.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            name: other.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }


def test_a_backup_restores_into_a_fresh_database_and_folder_row_for_row_and_byte_for_byte(
    fresh_database, tmp_path
):
    # given: the demo desk, and attachments (one of them not text at all)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    blob = bytes(range(256)) * 40
    make_ticket(
        requester=User.objects.get(username="alice"),
        category=make_category(),
        files=[
            SimpleUploadedFile("screen.png", blob, content_type="image/png"),
            SimpleUploadedFile("notes.txt", "打印机卡纸\n".encode(), content_type="text/plain"),
        ],
    )
    source_media = Path(settings.MEDIA_ROOT)
    source_files = {
        path.relative_to(source_media).as_posix(): path.read_bytes()
        for path in backups.media_files(source_media)
    }
    source_rows = backups.count_rows()

    # when: backed up, then restored by another process into an empty database and folder
    call_command("backup", output=str(tmp_path / "backups"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    (file,) = (tmp_path / "backups").glob("servicedesk-*.tar")
    restored_media = tmp_path / "restored-media"
    done = _restore(file, fresh_database, restored_media)

    # then: every table has every row; every file is there, byte for byte
    assert done.returncode == 0, done.stderr
    assert "every count and checksum matches the manifest" in done.stdout
    assert _counts(fresh_database) == source_rows
    assert [table for table in FILLED if not source_rows[table]] == []
    assert Attachment.objects.count() >= 2
    assert len(source_files) == Attachment.objects.count()
    restored_files = {
        path.relative_to(restored_media).as_posix(): path.read_bytes()
        for path in backups.media_files(restored_media)
    }
    assert restored_files == source_files
    assert blob in restored_files.values()
    # and: the manifest says what it holds
    with tarfile.open(file) as bundle:
        manifest = json.load(bundle.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["tables"] == source_rows
    assert set(manifest["media"]) == set(source_files)


def test_a_restore_into_a_desk_that_is_not_empty_is_refused(alice, fresh_database, tmp_path):
    # given: a backup
    make_ticket(requester=alice, category=make_category())
    call_command("backup", output=str(tmp_path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    (file,) = tmp_path.glob("servicedesk-*.tar")
    busy_media = tmp_path / "busy-media"
    busy_media.mkdir()
    (busy_media / "someone-else.txt").write_text("keep me")

    # when: into this (full) test database; into an empty one with a media folder in use
    into_full = _restore(file, str(connection.settings_dict["NAME"]), tmp_path / "empty-media")
    into_busy = _restore(file, fresh_database, busy_media)

    # then: both refused, nothing touched
    assert into_full.returncode != 0
    assert "is not empty" in into_full.stderr
    assert into_busy.returncode != 0
    assert "holds files" in into_busy.stderr
    assert _counts(fresh_database) == {}
    assert [p.name for p in busy_media.iterdir()] == ["someone-else.txt"]


def test_a_damaged_backup_is_refused_before_anything_is_restored(alice, fresh_database, tmp_path):
    # given: a backup whose dump lost its last bytes
    call_command("backup", output=str(tmp_path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    (file,) = tmp_path.glob("servicedesk-*.tar")
    parts = tmp_path / "parts"
    with tarfile.open(file) as bundle:
        bundle.extractall(parts, filter="data")
    dump = parts / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(damaged, "w") as bundle:
        for name in ("manifest.json", "database.dump", "media.tar.gz"):
            bundle.add(parts / name, arcname=name)

    # when
    done = _restore(damaged, fresh_database, tmp_path / "media-out")

    # then
    assert done.returncode != 0
    assert "database.dump is damaged" in done.stderr
    assert _counts(fresh_database) == {}
