"""``manage.py backup [--output DIR]``: the database, the attachments and a manifest in one
file (``servicedesk.backups``). ``make backup``; in compose,
``docker compose exec web python manage.py backup`` (into the ``backups`` volume)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicedesk import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump), the media folder and a manifest into one file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help="folder to write servicedesk-<time>.tar into (default var/backups)",
        )

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        try:
            path = backups.backup(Path(output))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
