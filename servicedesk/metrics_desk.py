"""The desk-wide series of ``/metrics``, computed when Prometheus scrapes.

From Redis (``servicedesk.deskstate``: every worker and web process adds to them):
Celery task outcomes and durations, each sweep's batches, duration, rows claimed and events
recorded, its last run and whether it is stale, notifications written / sent / failed /
deferred per channel, and SLA breaches in the last hour.

From PostgreSQL, two cheap queries: open tickets by priority and state (the reports'
``TicketFact`` rollup, through its partial index on the backlog) and notifications still
unsent or given up per channel (through the outbox's partial index on unsent rows).

A source that does not answer leaves its series out and sets
``servicedesk_scrape_source_up{source=…}`` to 0; the scrape itself still succeeds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import redis
from django.db import DatabaseError
from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector

from notifications.delivery import MAX_ATTEMPTS
from notifications.models import Notification
from reports.models import TicketFact
from servicedesk import deskstate, heartbeats

# Field separator inside the desk-wide hashes ("task|outcome", "sweep|kind").
SEP = "|"


class DeskCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "servicedesk_scrape_source_up",
            "Whether a source of the desk-wide series answered this scrape.",
            labels=["source"],
        )
        try:
            yield from self._from_redis()
            up.add_metric(["redis"], 1)
        except redis.RedisError:
            up.add_metric(["redis"], 0)
        try:
            yield from self._from_database()
            up.add_metric(["postgresql"], 1)
        except DatabaseError:
            up.add_metric(["postgresql"], 0)
        yield up

    def _from_redis(self) -> Iterator[Metric]:
        now = timezone.now()
        runs = heartbeats.last_runs()  # raises when Redis is down: the source is down
        breaches = heartbeats.breaches_last_hour(now)
        yield from _tasks()
        yield from _sweeps(runs, now)
        yield from _notifications()
        yield GaugeMetricFamily(
            "servicedesk_sla_breaches_last_hour",
            "SLA breaches (response and resolution) the sweeps recorded in the last hour.",
            value=breaches,
        )

    def _from_database(self) -> Iterator[Metric]:
        open_tickets = GaugeMetricFamily(
            "servicedesk_tickets_open",
            "Tickets not yet finished (verified, or closed), by priority and state.",
            labels=["priority", "state"],
        )
        rows = (
            TicketFact.objects.filter(finished_at__isnull=True)
            .values_list("priority", "state")
            .annotate(n=Count("*"))
            .order_by()
        )
        for priority, state, n in rows:
            open_tickets.add_metric([priority, state], n)
        unsent = GaugeMetricFamily(
            "servicedesk_notifications_unsent",
            "Notifications waiting to be sent, by channel.",
            labels=["channel"],
        )
        given_up = GaugeMetricFamily(
            "servicedesk_notifications_given_up",
            "Unsent notifications no retry will send (failed too often), by channel.",
            labels=["channel"],
        )
        pending = (
            Notification.objects.filter(sent_at__isnull=True)
            .values_list("channel")
            .annotate(
                waiting=Count("pk", filter=Q(attempts__lt=MAX_ATTEMPTS)),
                dead=Count("pk", filter=Q(attempts__gte=MAX_ATTEMPTS)),
            )
            .order_by()
        )
        for channel, waiting, dead in pending:
            unsent.add_metric([channel], waiting)
            given_up.add_metric([channel], dead)
        yield open_tickets
        yield unsent
        yield given_up


def _tasks() -> Iterator[Metric]:
    outcomes = CounterMetricFamily(
        "servicedesk_celery_tasks",
        "Celery tasks finished, by task name and outcome (success, failure, retry).",
        labels=["task", "outcome"],
    )
    for field, n in sorted(deskstate.read("task_outcomes").items()):
        task, outcome = field.rsplit(SEP, 1)
        outcomes.add_metric([task, outcome], n)
    durations = SummaryMetricFamily(
        "servicedesk_celery_task_duration_seconds",
        "Time Celery tasks ran, by task name.",
        labels=["task"],
    )
    counts = deskstate.read("task_runs")
    for task, seconds in sorted(deskstate.read("task_seconds").items()):
        durations.add_metric([task], count_value=int(counts.get(task, 0)), sum_value=seconds)
    yield outcomes
    yield durations


def _sweeps(runs: list[heartbeats.SweepRun], now: dt.datetime) -> Iterator[Metric]:
    labels = ["sweep"]
    last_finished = GaugeMetricFamily(
        "servicedesk_sweep_last_finished_timestamp_seconds",
        "When the sweep's last batch finished (Unix time; absent: never).",
        labels=labels,
    )
    last_seconds = GaugeMetricFamily(
        "servicedesk_sweep_last_duration_seconds",
        "How long the sweep's last batch took.",
        labels=labels,
    )
    last_claimed = GaugeMetricFamily(
        "servicedesk_sweep_last_rows",
        "Rows the sweep's last batch claimed.",
        labels=labels,
    )
    stale = GaugeMetricFamily(
        "servicedesk_sweep_stale",
        "1 when no batch of the sweep finished in the last three beat intervals.",
        labels=labels,
    )
    for run in runs:
        stale.add_metric([run.name], int(run.stale(now)))
        if run.finished_at is not None:
            last_finished.add_metric([run.name], run.finished_at.timestamp())
            last_seconds.add_metric([run.name], run.seconds)
            last_claimed.add_metric([run.name], run.claimed)
    durations = SummaryMetricFamily(
        "servicedesk_sweep_duration_seconds",
        "Time the sweep's batches took (count: batches run).",
        labels=labels,
    )
    batches = deskstate.read("sweep_runs")
    for name, seconds in sorted(deskstate.read("sweep_seconds").items()):
        durations.add_metric([name], count_value=int(batches.get(name, 0)), sum_value=seconds)
    claimed = CounterMetricFamily(
        "servicedesk_sweep_rows", "Due rows the sweep's batches claimed.", labels=labels
    )
    for name, n in sorted(deskstate.read("sweep_claimed").items()):
        claimed.add_metric([name], n)
    events = CounterMetricFamily(
        "servicedesk_sweep_events",
        "Events the sweep recorded (warnings, breaches, reminders …), by kind.",
        labels=["sweep", "kind"],
    )
    for field, n in sorted(deskstate.read("sweep_events").items()):
        name, kind = field.rsplit(SEP, 1)
        events.add_metric([name, kind], n)
    yield from (last_finished, last_seconds, last_claimed, stale, durations, claimed, events)


def _notifications() -> Iterator[Metric]:
    for what, help_text in (
        ("written", "Notification rows written (committed), by channel."),
        ("sent", "Notifications a transport sent, by channel."),
        ("failed", "Send attempts that failed (kept for a retry or given up), by channel."),
        ("deferred", "Send attempts the provider asked to retry later, by channel."),
    ):
        family = CounterMetricFamily(
            f"servicedesk_notifications_{what}", help_text, labels=["channel"]
        )
        for channel, n in sorted(deskstate.read(f"notifications_{what}").items()):
            family.add_metric([channel], n)
        yield family
