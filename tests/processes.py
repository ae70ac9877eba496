"""Starting, waiting for and stopping the helper processes of integration tests."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WAIT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Ask politely (SIGTERM), then insist; only ever the process we started."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_for(
    check: Callable[[], Any],
    *,
    what: str,
    timeout: float = WAIT_SECONDS,
    logs: list[Path] | None = None,
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with the logs after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            tails = "\n".join(
                f"--- {path.name} ---\n{path.read_text(errors='replace')[-4000:]}"
                for path in logs or []
                if path.exists()
            )
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}\n{tails}")
        time.sleep(0.1)


def reset_broker_pools() -> None:
    """This process's Celery app builds its broker connections afresh on its next publish.

    Celery keeps its connection and producer pools in kombu's process-wide registry, keyed by
    the broker's URL: closing only the app's pool would leave the registry handing the closed
    pool back ("Acquire on closed pool") to the next test that publishes to that URL.
    """
    from kombu import pools

    from servicedesk.celery import app

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
