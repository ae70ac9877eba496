"""Beat's scheduler: django-celery-beat's database scheduler with a heartbeat file.

Beat sends the sweeps but runs none, so nothing it does shows in the database until a
worker has swept; its healthcheck needs a sign of its own. Every tick (at most 5 s apart,
the database scheduler's loop interval) touches ``BEAT_HEARTBEAT_FILE``; the compose
healthcheck fails when the file is older than a minute (a hung scheduler, a lost database
connection it keeps retrying). Empty setting: no file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler


class HeartbeatScheduler(DatabaseScheduler):  # type: ignore[misc]
    def tick(self, *args: Any, **kwargs: Any) -> float:
        wait = float(super().tick(*args, **kwargs))
        path = str(settings.BEAT_HEARTBEAT_FILE)
        if path:
            Path(path).touch()
        return wait
