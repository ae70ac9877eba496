"""``/metrics``: refused outside the monitoring networks without the token; the Prometheus
text format with the request, task, sweep, notification and ticket series to an allowed
caller; the sweep series move after a sweep; gunicorn's workers summed."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications import delivery, transports
from notifications import tasks as notification_tasks
from notifications.models import Notification
from notifications.transports import email as email_transport
from servicedesk import deskstate, opshooks
from sla import obligations
from sla.tasks import run_sweeps
from tests.processes import free_port, stop_process, wait_for
from tickets.choices import Impact, Urgency
from tickets.tests.factories import make_category, make_ticket

REPO = Path(__file__).resolve().parents[2]
HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}


def scrape(client, **extra) -> dict[str, dict[tuple, float]]:
    """{sample name: {labels as sorted pairs: value}} from an allowed scrape."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            found.setdefault(sample.name, {})[labels] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


def test_metrics_refuses_an_anonymous_caller_outside_the_allowed_networks(client, desk_state):
    # when
    outside = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    wrong_token = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer not-the-token"
    )
    with override_settings(METRICS_TOKEN=""):
        empty_token = client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer "
        )

    # then
    assert outside.status_code == wrong_token.status_code == empty_token.status_code == 403
    assert b"servicedesk_" not in outside.content


@override_settings(METRICS_TOKEN="s3cret-scrape-token-0123")
def test_metrics_serves_a_caller_with_the_token_or_from_an_allowed_network(client, desk_state):
    # when
    with_token = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token-0123"
    )
    loopback = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    with override_settings(
        METRICS_ALLOWED_NETWORKS=metrics_networks("10.0.0.0/8", "2001:db8::/32")
    ):
        inside = client.get("/metrics", REMOTE_ADDR="10.20.30.40")
        inside_v6 = client.get("/metrics", REMOTE_ADDR="2001:db8::5")
        loopback_now_outside = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    # then
    assert [with_token.status_code, loopback.status_code] == [200, 200]
    assert [inside.status_code, inside_v6.status_code] == [200, 200]
    assert loopback_now_outside.status_code == 403


def metrics_networks(*cidrs: str):
    return [ipaddress.ip_network(cidr) for cidr in cidrs]


def test_metrics_has_the_request_task_sweep_notification_and_ticket_series(
    client, web, alice, bob, tom, desk_state, monkeypatch, django_capture_on_commit_callbacks
):
    # given: a high ticket filed six hours ago that nobody accepted (its response breached),
    # its e-mails sent by the outbox, a page seen, and beat's task run once; this process's
    # own series count from before (earlier tests ran in it too)
    page = {"route": "tickets:mine", "method": "GET"}
    before = scrape(client)
    sent_ids: list[list[int]] = []
    monkeypatch.setattr(notification_tasks, "enqueue", sent_ids.append)
    with (
        time_machine.travel(timezone.now() - dt.timedelta(hours=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        make_ticket(requester=alice, category=make_category(), **HIGH)
    emails = list(Notification.objects.filter(channel="email").values_list("pk", flat=True))
    delivery.send_notifications(emails)
    web(alice).get("/tickets/mine/")
    run_sweeps.apply()  # eager: the sweep tasks it enqueues are not run here
    obligations.sweep("tickets.sla")

    # when
    found = scrape(client)

    # then: requests by route name, their latency and queries
    for name, labels in (
        ("servicedesk_http_requests_total", {**page, "status": "200"}),
        ("servicedesk_http_request_duration_seconds_count", page),
        ("servicedesk_http_request_db_queries_count", {"route": "tickets:mine"}),
    ):
        assert value(found, name, **labels) - value(before, name, **labels) == 1, name
    assert value(found, "servicedesk_http_request_db_queries_sum", route="tickets:mine") > (
        value(before, "servicedesk_http_request_db_queries_sum", route="tickets:mine")
    )
    # Celery task outcomes
    assert (
        value(
            found, "servicedesk_celery_tasks_total", task="sla.tasks.run_sweeps", outcome="success"
        )
        == 1
    )
    assert (
        value(found, "servicedesk_celery_task_duration_seconds_count", task="sla.tasks.run_sweeps")
        == 1
    )
    # the sweep: duration, rows claimed, events recorded, last run, not stale
    assert value(found, "servicedesk_sweep_duration_seconds_count", sweep="tickets.sla") == 1
    assert value(found, "servicedesk_sweep_rows_total", sweep="tickets.sla") == 1
    assert (
        value(found, "servicedesk_sweep_events_total", sweep="tickets.sla", kind="response_breach")
        == 1
    )
    assert value(found, "servicedesk_sweep_stale", sweep="tickets.sla") == 0
    assert value(found, "servicedesk_sweep_stale", sweep="vendors.cadence") == 1
    assert value(found, "servicedesk_sla_breaches_last_hour") >= 1
    # notifications written / sent per channel, unsent ones waiting
    assert (
        value(found, "servicedesk_notifications_written_total", channel="email") >= len(emails) > 0
    )
    assert value(found, "servicedesk_notifications_sent_total", channel="email") == len(emails)
    assert value(found, "servicedesk_notifications_failed_total", channel="email") == 0
    assert "servicedesk_notifications_unsent" in found
    # open tickets by priority and state, from the reports' rollup
    assert value(found, "servicedesk_tickets_open", priority="high", state="submitted") == 1
    assert value(found, "servicedesk_scrape_source_up", source="postgresql") == 1
    assert value(found, "servicedesk_scrape_source_up", source="redis") == 1


def test_the_sweep_series_move_after_a_sweep(client, desk_state):
    # given
    obligations.sweep("tickets.sla")
    before = scrape(client)

    # when
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30), tick=False):
        obligations.sweep("tickets.sla")
    after = scrape(client)

    # then
    name = {"sweep": "tickets.sla"}
    assert value(after, "servicedesk_sweep_duration_seconds_count", **name) == (
        value(before, "servicedesk_sweep_duration_seconds_count", **name) + 1
    )
    assert value(after, "servicedesk_sweep_last_finished_timestamp_seconds", **name) >= (
        value(before, "servicedesk_sweep_last_finished_timestamp_seconds", **name) + 30
    )


def test_a_failing_transport_is_counted_as_failed(alice, bob, tom, desk_state, client, monkeypatch):
    # given: e-mail rows, and a mail server that refuses everything
    monkeypatch.setattr(notification_tasks, "enqueue", lambda ids: None)
    make_ticket(requester=alice, category=make_category(), **HIGH)
    emails = list(Notification.objects.filter(channel="email").values_list("pk", flat=True))

    def refuse(notification):
        raise OSError("mail server said no")

    monkeypatch.setattr("notifications.transports.email.send", refuse)

    # when
    delivery.send_notifications(emails)
    found = scrape(client)

    # then
    assert (
        value(found, "servicedesk_notifications_failed_total", channel="email") == len(emails) > 0
    )
    assert value(found, "servicedesk_notifications_sent_total", channel="email") == 0


def test_send_outcomes_reach_the_counters_through_the_delivery_hook(
    alice, bob, tom, desk_state, client, monkeypatch
):
    # given: the transports are the apps' own modules (nothing wraps them), and three e-mail
    # rows whose sends go, fail and are told to wait
    assert transports.transport_for("email") is email_transport
    assert opshooks.count_attempt in delivery._sent_hooks
    monkeypatch.setattr(notification_tasks, "enqueue", lambda ids: None)
    make_ticket(requester=alice, category=make_category(), **HIGH)
    make_ticket(requester=alice, category=make_category(), **HIGH)
    make_ticket(requester=alice, category=make_category(), **HIGH)
    emails = list(
        Notification.objects.filter(channel="email").order_by("pk").values_list("pk", flat=True)
    )
    assert len(emails) >= 3
    answers = iter(["sent", "failed", "deferred"] * len(emails))

    def flaky(notification):
        answer = next(answers)
        if answer == "failed":
            raise OSError("mail server said no")
        if answer == "deferred":
            raise transports.RetryLater("slow down", after=30)

    monkeypatch.setattr(email_transport, "send", flaky)
    before = scrape(client)

    # when
    delivery.send_notifications(emails)
    after = scrape(client)

    # then: each outcome moved its own counter by as many attempts
    expected = {
        "sent": len(emails[0::3]),
        "failed": len(emails[1::3]),
        "deferred": len(emails[2::3]),
    }
    for outcome, n in expected.items():
        name = f"servicedesk_notifications_{outcome}_total"
        assert value(after, name, channel="email") - value(before, name, channel="email") == n


def test_metrics_survive_redis_being_down(client, desk_state):
    # when
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        found = scrape(client)

    # then: the scrape succeeds and says which source is missing
    assert value(found, "servicedesk_scrape_source_up", source="redis") == 0
    assert value(found, "servicedesk_scrape_source_up", source="postgresql") == 1
    assert "servicedesk_sweep_stale" not in found


@pytest.mark.django_db(transaction=True)
def test_gunicorns_workers_are_summed_in_multi_process_mode(database_url, tmp_path, desk_state):
    # given: gunicorn with two workers sharing a metrics folder (deploy/gunicorn.conf.py)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": str(settings.REDIS_URL),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(REPO / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
            + ["servicedesk.wsgi"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _status(base + "/healthz") == 200, what="gunicorn", logs=[log])

        # when: forty sign-in pages, spread over both workers by the kernel
        for _ in range(40):
            assert _status(base + "/accounts/login/") == 200
        with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:  # noqa: S310
            text = answer.read().decode()
    finally:
        stop_process(process)

    # then: the count is the sum over the worker processes
    served = [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "servicedesk_http_requests_total"
        and sample.labels.get("route") == "accounts:login"
    ]
    assert sum(sample.value for sample in served) == 40
    assert len(list((tmp_path / "prometheus").glob("*.db"))) >= 2


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our own server
            return int(answer.status)
    except OSError:
        return 0


def test_the_grafana_dashboard_plots_only_series_that_metrics_serves(client, desk_state):
    # given
    dashboard = json.loads((REPO / "deploy" / "grafana" / "servicedesk.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {
        re.sub(r"_(bucket|sum|count|total)$", "", name)
        for expr in exprs
        for name in re.findall(r"servicedesk_[a-z_]+", expr)
    }

    # when
    response = client.get("/metrics")
    served = {family.name for family in text_string_to_metric_families(response.content.decode())}

    # then
    assert used and used <= served, used - served


def test_counts_added_while_redis_is_down_are_written_once_it_is_back(desk_state, monkeypatch):
    # given: Redis does not answer
    monkeypatch.setattr(deskstate, "PAUSE_SECONDS", 0.0)
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        deskstate.add("notifications_sent", "email", 2)
        deskstate.flush()

    # when: it answers again
    deskstate.flush()

    # then: nothing was lost
    assert deskstate.read("notifications_sent") == {"email": 2.0}
