"""Real processes for the reliability tests: a private Redis, Celery workers and beats.

Each test gets its own ``redis-server`` on a free port (nothing of the machine's Redis is
used, so no other run can take these tasks), and its workers and beats work on the test
database. Tests commit for real (``transaction=True``) so those processes see the rows;
every process is stopped by its own pid before pytest-django empties the database.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from servicedesk.celery import app as celery_app
from tests.processes import free_port, reset_broker_pools, wait_for
from tests.processes import stop_process as stop

REPO = Path(__file__).resolve().parents[2]
CELERY = REPO / ".venv" / "bin" / "celery"


def wait_until(check: Callable[[], Any], what: str, timeout: float, logs: list[Path]) -> Any:
    return wait_for(check, what=what, timeout=timeout, logs=logs)


class Processes:
    """Workers and beats of one test, with their logs; all stopped at the end."""

    def __init__(self, folder: Path, database_url: str, broker_url: str) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": "locmem://",
            "PYTHONUNBUFFERED": "1",
        }
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = self.folder / f"{name}-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                argv, cwd=REPO, env={**self.env, **env}, stdout=out, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        self.logs.append(log)
        return process

    def worker(self, **env: str) -> subprocess.Popen[bytes]:
        """A solo-pool worker (``worker_main``: the sweep's batch size and hold from ``env``)."""
        return self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "tests.reliability.worker_main",
                "-P",
                "solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
                "-n",
                f"reliability-{uuid.uuid4().hex[:8]}@%h",
            ],
            env,
        )

    def beat(self, **env: str) -> subprocess.Popen[bytes]:
        return self._start(
            "beat",
            [str(CELERY), "-A", "servicedesk", "beat", "-l", "info", "--pidfile="],
            env,
        )

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        return self.logs[self.started.index(process)].read_text(errors="replace")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=15)

    def stop_all(self) -> None:
        for process in self.started:
            stop(process)


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    with (tmp_path / "redis.log").open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [binary, "--port", str(port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        import redis

        client = redis.Redis(port=port, socket_connect_timeout=0.2)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, "redis-server", 10, [tmp_path / "redis.log"])
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(server)


@pytest.fixture
def broker(redis_url, monkeypatch) -> Iterator[str]:
    """This process's Celery app publishes to the test's Redis until the test ends."""
    before = celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url)
    celery_app.conf.broker_url = redis_url
    reset_broker_pools()
    yield redis_url
    celery_app.conf.broker_url = before
    reset_broker_pools()


@pytest.fixture
def database_url(transactional_db) -> str:
    conf = connection.settings_dict
    auth = quote(conf["USER"] or "", safe="")
    if conf["PASSWORD"]:
        auth += ":" + quote(conf["PASSWORD"], safe="")
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{quote(conf['NAME'], safe='')}"


@pytest.fixture
def processes(database_url, broker, tmp_path) -> Iterator[Processes]:
    started = Processes(tmp_path, database_url, broker)
    yield started
    started.stop_all()
