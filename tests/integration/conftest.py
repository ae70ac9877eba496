"""Real processes for integration tests: a Redis server of the test's own, Celery workers and
helper processes that use the test database.

Nothing here touches the machine's shared Redis on 6379: each test starts a
``redis-server`` on a free port and points both this process's Celery app and
its workers at it. The tests commit for real (``transaction=True``) so other
processes see their rows; every process started here is stopped (by its own
pid) before pytest-django flushes the database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from servicedesk.celery import app as celery_app
from tests.processes import free_port, reset_broker_pools, stop_process, wait_for

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"


class RedisServer:
    """A throw-away ``redis-server`` (no persistence) that can be stopped and started again."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: _answers(client), what=f"redis-server on port {self.port}", timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        stop_process(self.process)
        self.process = None


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_url(transactional_db) -> str:
    """The URL of the database pytest-django created, for other processes."""
    conf = connection.settings_dict
    auth = quote(conf["USER"] or "", safe="")
    if conf["PASSWORD"]:
        auth += ":" + quote(conf["PASSWORD"], safe="")
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{quote(conf['NAME'], safe='')}"


@pytest.fixture
def celery_broker(monkeypatch) -> Iterator[Callable[[str], None]]:
    """``celery_broker(url)``: this process's Celery app publishes to ``url`` until the test ends.

    Celery reads ``broker_url`` when it first builds its connection pool and then
    keeps the pool; the ``CELERY_BROKER_URL`` variable wins over the
    configuration, so both are set and the pools dropped.
    """
    before = celery_app.conf.broker_url

    def point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url
        reset_broker_pools()

    yield point
    celery_app.conf.broker_url = before  # monkeypatch restores the variable after this
    reset_broker_pools()


def process_env(database_url: str, broker_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": "locmem://",
        "PYTHONUNBUFFERED": "1",
    }


class Workers:
    """Celery workers started for one test; ``logs`` for failure messages."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, broker_url: str) -> subprocess.Popen[bytes]:
        log = self.folder / f"worker-{len(self.processes)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "servicedesk",
                    "worker",
                    "-P",
                    "solo",
                    "-c",
                    "1",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "info",
                    "-n",
                    f"integration-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=REPO,
                env=process_env(self.database_url, broker_url),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        self.logs.append(log)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            stop_process(process)


@pytest.fixture
def workers(database_url, tmp_path) -> Iterator[Workers]:
    """Start Celery workers on the test database; all stopped before the database is flushed."""
    started = Workers(database_url, tmp_path)
    yield started
    started.stop_all()
