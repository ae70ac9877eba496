"""The Celery application, configured from Django settings (``CELERY_`` namespace).

Its signals also give every task a log line, the request id of whoever enqueued it and
its outcome in the desk-wide counters (``servicedesk.deskstate``, shown by ``/metrics``).
"""

import contextvars
import logging
import logging.config
import os
import time
from typing import Any

from celery import Celery
from celery.signals import (
    after_setup_logger,
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
)
from django.conf import settings

from servicedesk import deskstate, logcontext

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _require_secret_key(**signal: object) -> None:
    """Stop the worker or beat, naming SECRET_KEY, when DEBUG is off and no key is given.

    Celery logs and ignores an ``Exception`` from a signal handler, so the refusal leaves
    as ``SystemExit``.
    """
    # Django's settings are configured by now; the module itself is imported by every
    # manage.py command through servicedesk/__init__.py, so the check waits for start-up.
    from django.core.exceptions import ImproperlyConfigured

    from servicedesk.startup import require_secret_key

    try:
        require_secret_key(**signal)
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc


worker_init.connect(_require_secret_key, weak=False)
# Beat has no earlier hook than its logging set-up (its scheduler reads the database next).
after_setup_logger.connect(_require_secret_key, weak=False)


# --- operations: logs, request ids, task outcomes --------------------------------------

task_log = logging.getLogger("servicedesk.task")
_started: dict[str, tuple[float, contextvars.Token[str | None]]] = {}


def _setup_logging(**signal: object) -> None:
    """Workers and beat log through Django's ``LOGGING`` (JSON lines, redacted) instead of
    Celery's own format; the SECRET_KEY refusal runs here too, as this replaces the
    logger set-up it was hooked on."""
    logging.config.dictConfig(settings.LOGGING)
    _require_secret_key(**signal)


def _carry_request_id(headers: dict[str, object] | None = None, **_signal: object) -> None:
    """A task enqueued while a request (or a task) is served carries its request id."""
    rid = logcontext.request_id.get()
    if rid and headers is not None:
        headers.setdefault("request_id", rid)


def _task_started(task_id: str = "", task: Any = None, **_signal: object) -> None:
    # The enqueuer's id from the message; an eager task keeps its caller's; else its own.
    rid = getattr(task.request, "request_id", None) or logcontext.request_id.get() or task_id
    _started[task_id] = (time.monotonic(), logcontext.request_id.set(rid))


def _task_finished(
    task_id: str = "", task: Any = None, state: str | None = None, **_signal: object
) -> None:
    """One log line and the desk-wide outcome counters per task (``servicedesk.deskstate``)."""
    started, token = _started.pop(task_id, (None, None))
    seconds = time.monotonic() - started if started is not None else 0.0
    outcome = (state or "unknown").lower()
    name = getattr(task, "name", "unknown")
    task_log.log(
        logging.ERROR if outcome == "failure" else logging.INFO,
        "task %s %s",
        name,
        outcome,
        extra={
            "event": "task",
            "task": name,
            "task_id": task_id,
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    deskstate.add("task_outcomes", f"{name}|{outcome}")
    deskstate.add("task_runs", name)
    deskstate.add("task_seconds", name, seconds)
    deskstate.flush()
    if token is not None:
        logcontext.request_id.reset(token)


setup_logging.connect(_setup_logging, weak=False)
before_task_publish.connect(_carry_request_id, weak=False)
task_prerun.connect(_task_started, weak=False)
task_postrun.connect(_task_finished, weak=False)
