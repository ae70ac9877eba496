"""Publishing to a broker that cannot be reached gives up within a second, so a web request
that hands notifications on never waits long for Redis (the rows stay pending and
``dispatch_pending`` sends them later).

No Redis is needed: the broker is a port nobody listens on (connection refused) or a
listening socket whose accept queue is full (connects hang, like a host that drops packets).
These run in the default suite, not only with ``-m integration``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from kombu.exceptions import OperationalError

from notifications import tasks as notification_tasks
from notifications.tasks import dispatch_notifications, enqueue
from tests.processes import free_port

LIMIT_SECONDS = 1.0


@pytest.fixture
def refused_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def black_hole_url() -> Iterator[str]:
    """A port whose connects hang: the accept queue (backlog 0) is already full."""
    with socket.socket() as server, socket.socket() as filler:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        filler.connect(("127.0.0.1", port))  # takes the one queued place; never accepted
        yield f"redis://127.0.0.1:{port}/0"


@pytest.fixture(params=["refused_url", "black_hole_url"])
def unreachable_url(request) -> str:
    return str(request.getfixturevalue(request.param))


def test_publish_to_an_unreachable_broker_fails_within_a_second(unreachable_url, celery_broker):
    # given
    celery_broker(unreachable_url)

    # when / then: every attempt, not only the first, gives up quickly
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(OperationalError):
            dispatch_notifications.apply_async(args=([1],), retry=False)
        assert time.monotonic() - started < LIMIT_SECONDS


def test_enqueue_to_an_unreachable_broker_returns_within_a_second(
    unreachable_url, celery_broker, monkeypatch
):
    # given: no recent failure, so enqueue really tries the broker
    celery_broker(unreachable_url)
    monkeypatch.setattr(notification_tasks, "_broker_failed_at", None)

    # when
    started = time.monotonic()
    enqueue([1, 2])
    took = time.monotonic() - started

    # then: no exception, and no long wait
    assert took < LIMIT_SECONDS
    assert notification_tasks._broker_failed_at is not None  # the next ones skip the broker
