"""Desk-wide operational numbers in Redis, shared by every web, worker and beat process.

Sweeps and tasks run in workers, possibly on other hosts, while ``/readyz`` and ``/metrics``
answer from a web process: what they report about the whole desk (when each sweep last
finished, Celery task outcomes, notifications sent per channel) has to live somewhere every
process reaches. PostgreSQL holds the desk's data; these are heartbeats and counters, kept
in Redis like Celery's own worker state. Losing Redis loses them: the sweeps read as "not
run yet" until the next beat tick (``SLA_SWEEP_SECONDS``) and the counters start again from
zero, which Prometheus treats as a counter reset.

Counters are added up in the process and written at most once a second (one pipelined
round trip), and at the end of every task and request (``flush``): a burst of ten thousand
notifications costs a handful of Redis calls, not ten thousand. Redis being down never
fails the caller nor holds it up: the counts wait in the process, no write is tried for
15 s after a failure, and a warning is logged at most once a minute.

Keys carry the database's name, so two desks (or two test databases) sharing one Redis
never add to each other's numbers.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import defaultdict
from typing import Any

import redis
from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
PAUSE_SECONDS = 15.0
WARN_SECONDS = 60.0
# One Redis call may not hold up a request or a task for long.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()
_pending: dict[tuple[str, str], float] = defaultdict(float)
_last_flush = 0.0
_paused_until = 0.0
_last_warning = -WARN_SECONDS


def client() -> redis.Redis:
    """The Redis of ``REDIS_URL`` with short timeouts (one pool per URL and process)."""
    url = str(settings.REDIS_URL)
    found = _clients.get(url)
    if found is None:
        found = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=READ_TIMEOUT
        )
        _clients[url] = found
    return found


def key(*parts: str) -> str:
    """``servicedesk:ops:<database>:<parts…>``."""
    return ":".join(["servicedesk", "ops", str(connection.settings_dict["NAME"]), *parts])


def add(hash_name: str, field: str, amount: float = 1) -> None:
    """Add ``amount`` to ``field`` of the desk-wide hash ``hash_name`` (buffered)."""
    with _lock:
        _pending[(hash_name, field)] += amount
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS
    if due:
        flush()


def flush() -> None:
    """Write what was added since the last flush. When Redis fails, the counts stay in the
    process and no write is tried for ``PAUSE_SECONDS`` (no request waits on a dead Redis)."""
    global _last_flush, _paused_until
    with _lock:
        now = time.monotonic()
        if not _pending or now < _paused_until:
            return
        batch = dict(_pending)
        _pending.clear()
        _last_flush = now
    try:
        pipe = client().pipeline(transaction=False)
        for (hash_name, field), amount in batch.items():
            pipe.hincrbyfloat(key(hash_name), field, amount)
        pipe.execute()
    except redis.RedisError as exc:
        with _lock:
            for name, amount in batch.items():
                _pending[name] += amount
            _paused_until = time.monotonic() + PAUSE_SECONDS
        warn("desk counters kept for later", exc)


def read(hash_name: str) -> dict[str, float]:
    """The desk-wide hash, as numbers (empty when Redis does not answer)."""
    try:
        raw: dict[Any, Any] = client().hgetall(key(hash_name))
    except redis.RedisError as exc:
        warn("desk counters not read", exc)
        return {}
    return {_text(name): float(value) for name, value in raw.items()}


def warn(what: str, exc: Exception) -> None:
    """A Redis failure, logged at most once a minute per process."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_SECONDS:
        _last_warning = now
        log.warning("%s: Redis did not answer: %s", what, exc)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


# What a process added in its last second (a management command's sweep) is written as it ends.
atexit.register(flush)
