"""gunicorn's settings for the web service (docker-compose.yml; docs/operations.md).

``gunicorn -c deploy/gunicorn.conf.py servicedesk.wsgi``. With ``PROMETHEUS_MULTIPROC_DIR``
set, every worker process writes its metrics into that folder and ``/metrics`` serves their
sum: the folder is emptied when the master starts and a dead worker's live gauges are
dropped. gunicorn's access log stays off: the app writes one JSON line per request, with
its request id and redaction (servicedesk/middleware.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# A worker is replaced after this many requests (memory growth), spread so they never all go.
max_requests = 2000
max_requests_jitter = 200
accesslog = None
errorlog = "-"


def on_starting(server: Any) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # only where metrics are multi-process

        multiprocess.mark_process_dead(worker.pid)
