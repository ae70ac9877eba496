"""Project-wide middleware: the probes, the request log, and request guards that must run
before any other middleware reads the body."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from servicedesk import deskstate, health, jsonlog, logcontext, metrics
from tickets.attachments import request_body_limit_bytes, request_limit_mb


class RequestSizeLimitMiddleware:
    """Refuse a body that announces more than one upload may carry, before reading it.

    ``Content-Length`` is checked against ``ATTACHMENTS_REQUEST_MB`` (plus an allowance for
    the form fields) at call time, so the answer is 413 while the body is still on the wire:
    no temporary file is written, no session or user is loaded, and the view never runs.
    A body without a length (chunked) is bounded by the reverse proxy
    (``client_max_body_size``, docs/deployment.md) and, field by field, by the services.
    Placed first but for ``SecurityMiddleware``, so the answer still carries its headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0  # Django reads a malformed length as an empty body
        if announced > request_body_limit_bytes():
            return self._too_large(request)
        return self.get_response(request)

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        # LocaleMiddleware has not run yet: pick the language from the cookie and browser.
        with translation.override(translation.get_language_from_request(request)):
            limit = request_limit_mb()
            detail = _(
                "The request is larger than %(limit)d MB, the most one upload may carry."
            ) % {"limit": limit}
            if request.path.startswith("/api/"):
                response: HttpResponse = JsonResponse(
                    {"detail": detail, "limit_mb": limit}, status=413
                )
            else:
                page = render_to_string(
                    "tickets/request_too_large.html", {"detail": detail, "limit": limit}
                )
                response = HttpResponse(page, status=413)
        return response


class ProbeMiddleware:
    """Answer ``/healthz``, ``/readyz`` and ``/metrics`` before anything else runs.

    First in ``MIDDLEWARE``: a probe from the orchestrator or a scrape from Prometheus names
    the host by its address (not in ``ALLOWED_HOSTS``) over plain HTTP (no HTTPS redirect),
    carries no session and must stay cheap, so none of the other middleware sees it. The
    endpoints are the operators' (``servicedesk.health``, ``servicedesk.metrics``); what
    they may show is decided there (``/metrics`` by address or token).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = PROBES.get(request.path_info.rstrip("/"))
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
    "/metrics": metrics.serve,
}


class RequestLogMiddleware:
    """One JSON log line and the metrics of every request, under a request id.

    The id comes from the proxy's ``X-Request-ID`` when it looks like one, else is made up;
    it is sent back in ``X-Request-ID``, carried by every line logged while the request is
    served and by every task it enqueues (``servicedesk.celery``). The line holds the route
    name (not the path's ids), method, status, duration, database queries and the user id
    (when the request looked at its user) — never a header, a cookie or a body; the query
    string is logged with secret-looking values replaced (``servicedesk.jsonlog``).
    A 5xx is logged at ERROR, anything else at INFO.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = logcontext.new_request_id(request.headers.get("X-Request-ID"))
        token = logcontext.request_id.set(rid)
        queries = _QueryCounter()
        started = time.monotonic()  # a stopwatch, not the desk's clock
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            seconds = time.monotonic() - started
            route = _route(request)
            user_id = _user_id(request)
            response["X-Request-ID"] = rid
            metrics.observe_request(
                route, str(request.method), response.status_code, seconds, queries.count
            )
            request_log.log(
                logging.ERROR if response.status_code >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "event": "request",
                    "method": request.method,
                    "route": route,
                    "path": request.path,
                    "query": jsonlog.redact_query(request.META.get("QUERY_STRING", "")) or None,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "db_queries": queries.count,
                    "user_id": user_id,
                },
            )
        finally:
            deskstate.flush()
            logcontext.request_id.reset(token)
        return response


request_log = logging.getLogger("servicedesk.request")


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        return execute(*args)


def _route(request: HttpRequest) -> str:
    """The URL's name (``tickets:detail``), so ids in the path never become labels."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return str(match.view_name or match._func_path)
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if the request loaded its user (never loads it here)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None
