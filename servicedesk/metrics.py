"""``/metrics``: the Prometheus text format, for the configured networks or a bearer token.

Two kinds of series, from two places:

- **this process's** (prometheus_client): HTTP requests by route name (``view_name``, so a
  ticket number never becomes a label), method and status, their latency and the
  database queries each made. Under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (an empty
  folder per host, ``deploy/gunicorn.conf.py`` empties it at start and marks dead workers):
  every worker process writes its numbers there and any of them serves the sum.
- **the desk's** (``servicedesk.metrics_desk``, computed at scrape time): Celery task
  outcomes, sweeps, notifications per channel, breaches in the last hour (counted by every
  worker into Redis), and open tickets by priority and state (the reports' ``TicketFact``
  rollup) — the same on every web process.

Who may read it: a caller whose address (``REMOTE_ADDR``: scrape the web processes
directly, not through the load balancer) is in ``METRICS_ALLOWED_NETWORKS`` (default the
loopback), or who sends ``Authorization: Bearer <METRICS_TOKEN>``. Anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from servicedesk import deskstate, metrics_desk

REQUESTS = Counter(
    "servicedesk_http_requests",
    "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "servicedesk_http_request_duration_seconds",
    "Time from the first middleware to the response, by route name and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
QUERIES = Histogram(
    "servicedesk_http_request_db_queries",
    "Database queries one request made, by route name.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 35, 50, 100, 200),
)


def observe_request(route: str, method: str, status: int, seconds: float, queries: int) -> None:
    """One answered request (``servicedesk.middleware.RequestLogMiddleware``)."""
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)
    QUERIES.labels(route).observe(queries)


def serve(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse(
            "Forbidden: /metrics is for the monitoring networks or the metrics token.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    deskstate.flush()  # this process's own latest counts first
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessSeries())
    registry.register(metrics_desk.DeskCollector())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def allowed(request: HttpRequest) -> bool:
    """From a configured network, or with the bearer token (compared in constant time)."""
    token = str(getattr(settings, "METRICS_TOKEN", ""))
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


class _ProcessSeries(Collector):
    """The per-process series: summed over every process of this host in multi-process
    mode (``PROMETHEUS_MULTIPROC_DIR``), else this process's own (with its CPU and memory)."""

    def collect(self) -> Iterable:  # type: ignore[type-arg]
        folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if folder:
            collector = MultiProcessCollector(CollectorRegistry(), path=folder)  # type: ignore[no-untyped-call]
            yield from collector.collect()  # type: ignore[no-untyped-call]
        else:
            yield from REGISTRY.collect()
