"""Project-wide request guards that must run before any other middleware reads the body."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

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
