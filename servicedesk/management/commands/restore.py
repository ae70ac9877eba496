"""``manage.py restore FILE``: a backup into the (empty) database of ``DATABASE_URL`` and the
(empty) folder of ``MEDIA_ROOT``, checked against its manifest (``servicedesk.backups``).
``make restore FILE=…``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicedesk import backups


class Command(BaseCommand):
    help = "Restore a backup into an empty database and media folder, and check it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a servicedesk-<time>.tar written by manage.py backup")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            done = backups.restore(Path(file))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored {done.tables} tables ({done.rows:,} rows) and {done.files} files; "
            "every count and checksum matches the manifest"
        )
