"""``/healthz`` and ``/readyz``: is this process alive, and may it take traffic.

``/healthz`` touches nothing: 200 while the process can answer at all (a load balancer or an
orchestrator restarts a process that stops answering it). ``/readyz`` is 200 only when

- PostgreSQL answers and every migration on disk is applied (one query: the applied
  migrations, compared with the graph read from disk once per process);
- Redis answers (one pipelined round trip, which also reads the sweep heartbeats);
- no timed-obligation sweep is stale (``servicedesk.heartbeats``): a desk whose clocks are
  not being swept must not look healthy.

Otherwise 503, with a JSON body naming every check and what failed (``status`` is
``unavailable`` when PostgreSQL, Redis or the migrations fail, ``degraded`` when only the
sweeps are stale). Both are answered by ``ProbeMiddleware`` before any other middleware
(no host check, no HTTPS redirect, no session), never need a sign-in, and are never logged
as errors (the request log writes them at DEBUG).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from servicedesk import heartbeats

log = logging.getLogger(__name__)

_on_disk: dict[tuple[str, str], set[tuple[str, str]]] | None = None


def healthz(request: HttpRequest) -> JsonResponse:
    return _unlogged(JsonResponse({"status": "ok"}))


def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    checks.update(_database())
    checks.update(_redis_and_sweeps())
    failed = [name for name, check in checks.items() if not check["ok"]]
    if not failed:
        status = "ok"
    elif failed == ["sweeps"]:
        status = "degraded"
    else:
        status = "unavailable"
    body = {"status": status, "failed": failed, "checks": checks}
    return _unlogged(JsonResponse(body, status=200 if not failed else 503))


def _database() -> dict[str, dict[str, Any]]:
    """``postgresql`` and ``migrations``: one query, the applied migrations."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cursor.fetchall()}
    except DatabaseError as exc:
        # A connection that failed is not reused by the next probe.
        connection.close_if_unusable_or_obsolete()
        return {
            "postgresql": {"ok": False, "error": _first_line(exc)},
            "migrations": {"ok": False, "error": "unknown: PostgreSQL does not answer"},
        }
    missing = sorted(
        f"{app}.{name}"
        for (app, name), replaces in _migrations_on_disk().items()
        if (app, name) not in applied and not (replaces and replaces <= applied)
    )
    migrations: dict[str, Any] = {"ok": not missing}
    if missing:
        migrations["error"] = f"{len(missing)} not applied"
        migrations["missing"] = missing[:20]
    return {"postgresql": {"ok": True}, "migrations": migrations}


def _migrations_on_disk() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Every migration in the graph (with what a squashed one replaces), read once."""
    global _on_disk
    if _on_disk is None:
        loader = MigrationLoader(None, ignore_no_migrations=True)
        _on_disk = {key: set(loader.graph.nodes[key].replaces or []) for key in loader.graph.nodes}
    return _on_disk


def _redis_and_sweeps() -> dict[str, dict[str, Any]]:
    try:
        runs = heartbeats.last_runs()
    except redis.RedisError as exc:
        return {
            "redis": {"ok": False, "error": _first_line(exc)},
            "sweeps": {"ok": False, "error": "unknown: Redis does not answer"},
        }
    now = timezone.now()
    stale = [run for run in runs if run.stale(now)]
    sweeps: dict[str, Any] = {"ok": not stale, "watched": len(runs)}
    if stale:
        sweeps["error"] = "sweeps stale: " + ", ".join(run.name for run in stale)
        sweeps["stale"] = {
            run.name: run.finished_at.isoformat() if run.finished_at else None for run in stale
        }
        sweeps["stale_after_seconds"] = int(heartbeats.stale_after().total_seconds())
    return {"redis": {"ok": True}, "sweeps": sweeps}


def _first_line(exc: Exception) -> str:
    """The error's class and first line (no connection string, nothing multi-line)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip(": ")


def _unlogged(response: JsonResponse) -> JsonResponse:
    """Keep Django's request logger from writing a 503 probe as an error."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"
    return response
