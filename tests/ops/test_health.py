"""``/healthz`` and ``/readyz``: alive without the database, ready only with everything.

The database-down case runs a real gunicorn whose ``DATABASE_URL`` points at a port nobody
listens on; the Redis-down case points this process's ``REDIS_URL`` at one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from servicedesk import heartbeats
from sla import obligations
from tests.processes import free_port, stop_process, wait_for

REPO = Path(__file__).resolve().parents[2]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our own server
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _answers(url: str) -> bool:
    try:
        _get(url)
    except OSError:
        return False
    return True


@pytest.fixture
def gunicorn_without_database(tmp_path):
    """A gunicorn whose PostgreSQL is a closed port; yields (base URL, log path)."""
    port, closed = free_port(), free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed}/nowhere",
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(REPO / ".venv" / "bin" / "gunicorn"),
                "servicedesk.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base + "/healthz"), what="gunicorn", logs=[log])
        yield base, log
    finally:
        stop_process(process)


def test_healthz_is_200_and_readyz_503_naming_postgresql_when_the_database_is_down(
    gunicorn_without_database,
):
    # given: a web process whose PostgreSQL does not answer
    base, log = gunicorn_without_database

    # when
    alive = _get(base + "/healthz")
    ready = _get(base + "/readyz")

    # then: alive, not ready, and the body says why
    assert alive == (200, {"status": "ok"})
    status, body = ready
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["failed"][:2] == ["postgresql", "migrations"]
    assert "connection" in body["checks"]["postgresql"]["error"].lower()
    # and: the 503 is not logged as an error
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")]


def test_readyz_is_503_naming_redis_when_redis_is_down(client, swept):
    # given: a Redis URL on a port nobody listens on
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        # when
        response = client.get("/readyz")

    # then
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["redis", "sweeps"]
    assert "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["postgresql"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True}


def test_readyz_is_200_with_every_check_named_when_all_is_well(client, swept):
    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"postgresql", "migrations", "redis", "sweeps"}
    assert body["checks"]["sweeps"]["watched"] == len(obligations.registered()) > 0
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_503_sweeps_stale_three_intervals_after_the_last_sweep(client, swept, caplog):
    # given: the sweeps ran; the clock moves on to just before, then just past, 3 intervals
    limit = heartbeats.STALE_INTERVALS * heartbeats.interval()
    now = timezone.now()

    # when
    with time_machine.travel(now + limit - dt.timedelta(seconds=2), tick=False):
        before = client.get("/readyz")
    with (
        time_machine.travel(now + limit + dt.timedelta(seconds=2), tick=False),
        caplog.at_level(logging.INFO),
    ):
        after = client.get("/readyz")

    # then
    assert before.status_code == 200
    assert after.status_code == 503
    body = after.json()
    assert body["status"] == "degraded"
    assert body["failed"] == ["sweeps"]
    stale = body["checks"]["sweeps"]
    assert stale["error"].startswith("sweeps stale: ")
    assert set(stale["stale"]) == set(obligations.registered())
    assert stale["stale_after_seconds"] == int(limit.total_seconds())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_readyz_names_a_sweep_that_never_ran(client, desk_state):
    # given: one sweep ran, the others never did
    names = sorted(obligations.registered())
    obligations.sweep(names[0])

    # when
    body = client.get("/readyz").json()

    # then
    assert body["failed"] == ["sweeps"]
    assert body["checks"]["sweeps"]["stale"] == dict.fromkeys(names[1:])


def test_readyz_is_503_naming_a_migration_not_applied(client, swept):
    # given: the record of one applied migration is gone (rolled back after the test)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'tickets' AND name = '0001_initial'"
        )

    # when
    response = client.get("/readyz")

    # then
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"]["missing"] == ["tickets.0001_initial"]


def test_the_probes_are_cheap(client, swept, django_assert_num_queries):
    # then: /healthz touches no database, /readyz asks one question
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


@override_settings(ALLOWED_HOSTS=["desk.example.com"], SECURE_SSL_REDIRECT=True)
def test_the_probes_answer_a_probe_by_address_over_plain_http(client, swept):
    # given: a production host name and HTTPS redirects; the probe names the address

    # when
    alive = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    ready = client.get("/readyz/", HTTP_HOST="10.1.2.3:8000")
    page = client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000")

    # then: the probes answer; any other page is refused as before
    assert (alive.status_code, ready.status_code) == (200, 200)
    assert page.status_code == 400


def test_the_probes_need_no_sign_in_and_accept_only_reads(client, desk_state):
    # then
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
