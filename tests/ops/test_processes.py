"""The operations wiring in real processes: beat, a worker, a private Redis, the test database.

Beat ticks every second here (``SLA_SWEEP_SECONDS=1``); what the compose healthchecks and
``/readyz`` rely on is checked as they would see it: beat's heartbeat file, a worker that
answers a Celery ping, every sweep's heartbeat written by the worker, the tasks' outcomes
in the desk-wide counters, and a web request's id in the log line of the task it enqueued.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from servicedesk import deskstate, heartbeats
from sla import obligations
from tests.integration.conftest import VENV_BIN, process_env
from tests.processes import stop_process, wait_for
from tickets.tests.factories import make_category

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def beat(database_url, redis_server, tmp_path):
    """A beat on the private Redis, ticking the sweeps every second; yields its heartbeat
    file and log."""
    heartbeat, log = tmp_path / "beat-heartbeat", tmp_path / "beat.log"
    env = {
        **process_env(database_url, redis_server.url),
        "SLA_SWEEP_SECONDS": "1",
        "BEAT_HEARTBEAT_FILE": str(heartbeat),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(VENV_BIN / "celery"), "-A", "servicedesk", "beat", "-l", "info", "--pidfile="]
            + ["-s", str(tmp_path / "beat-schedule")],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield heartbeat, log
    stop_process(process)


def _json_lines(path: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]


def test_beat_and_a_worker_keep_every_sweep_fresh_and_answer_their_healthchecks(
    beat, workers, redis_server, client, tmp_path
):
    # given: a worker and beat on the private Redis
    heartbeat_file, beat_log = beat
    worker = workers.start(redis_server.url)
    names = sorted(obligations.registered())
    logs = [beat_log, *workers.logs]

    with override_settings(REDIS_URL=redis_server.url):
        # when: beat ticks and the worker sweeps
        wait_for(heartbeat_file.exists, what="beat's heartbeat file", logs=logs)
        wait_for(
            lambda: all(run.finished_at for run in heartbeats.last_runs(names)),
            what="a heartbeat of every sweep",
            logs=logs,
        )
        ready = client.get("/readyz")
        outcomes = deskstate.read("task_outcomes")

    # then: ready; the sweeps' tasks counted as successes by the worker
    assert ready.status_code == 200, ready.json()
    assert outcomes["sla.tasks.run_sweeps|success"] >= 1
    assert outcomes["sla.tasks.sweep_obligation|success"] >= len(names)
    # and: the compose healthchecks pass: the beat file is fresh, the worker answers a ping
    fresh = subprocess.run(  # noqa: S603 - fixed arguments
        ["/usr/bin/find", str(heartbeat_file), "-mmin", "-1"], capture_output=True, check=True
    )
    assert fresh.stdout.strip() == str(heartbeat_file).encode()
    ping = subprocess.run(  # noqa: S603 - fixed arguments
        [str(VENV_BIN / "celery"), "-A", "servicedesk", "inspect", "ping", "--timeout", "10"],
        cwd=REPO,
        env=process_env("postgres://unused@127.0.0.1:1/unused", redis_server.url),
        capture_output=True,
        timeout=60,
    )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert b"pong" in ping.stdout
    assert worker.poll() is None


def test_a_task_logs_the_request_id_of_the_request_that_enqueued_it(
    workers, redis_server, celery_broker, alice, bob, tom, api
):
    # given: a worker on the private Redis, which this process publishes to; engineers to
    # tell about a new ticket
    celery_broker(redis_server.url)
    workers.start(redis_server.url)
    make_category("hardware-pc")
    body = {
        "title": "VPN drops",
        "description": "Disconnects every 5 minutes",
        "category": "hardware-pc",
        "impact": "network",
        "urgency": "interrupted",
    }

    # when: filing a high-priority ticket enqueues the sending of its e-mails at once
    response = api(alice).post(
        "/api/v1/tickets/", body, format="json", HTTP_X_REQUEST_ID="req-filing-0001"
    )

    # then: the answer names the request id, and so does the worker's line of that task
    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-filing-0001"

    def task_lines() -> list[dict]:
        return [
            line
            for line in _json_lines(workers.logs[0])
            if line.get("event") == "task" and line.get("request_id") == "req-filing-0001"
        ]

    lines = wait_for(task_lines, what="the task's log line", logs=workers.logs)
    assert lines[0]["outcome"] == "success"
    assert lines[0]["task"].startswith("notifications.")
    assert lines[0]["duration_ms"] >= 0
