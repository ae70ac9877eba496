"""Fixtures of the operations tests: the desk-wide numbers in Redis, kept per test.

The heartbeats and counters live in the Redis of ``REDIS_URL`` under keys that name the
test database (``servicedesk.deskstate.key``); each test starts and ends with none.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servicedesk import deskstate
from sla import obligations
from tests.integration.conftest import celery_broker, database_url, redis_server, workers

__all__ = ["celery_broker", "database_url", "redis_server", "workers"]


def _forget() -> None:
    deskstate._paused_until = 0.0  # a test with Redis down paused the writes
    deskstate.flush()
    client = deskstate.client()
    keys = list(client.scan_iter(match=deskstate.key("*"), count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def desk_state(db) -> Iterator[None]:
    """No heartbeat, no counter, before and after the test."""
    _forget()
    yield
    _forget()


@pytest.fixture
def swept(desk_state) -> None:
    """Every registered sweep has just run (on the empty test database)."""
    for name in obligations.registered():
        obligations.sweep(name)
