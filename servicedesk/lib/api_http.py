"""The API's HTTP edges: what every ``/api/`` request passes before a view and after it.

- ``SafeJSONParser`` reads a JSON body that cannot hurt: nested no deeper than Python's
  parser can go (400, not a ``RecursionError``), and every string, key included, text that
  PostgreSQL can store and the renderer can encode: no NUL, no lone surrogate (``"\\ud800"``
  decodes to one). A refused string is named by the field it is in (its top-level key).
  DRF reads the body through ``request.body``, so ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds
  its size; the API's exception handler answers that with ``PayloadTooLarge`` (413).
- ``JsonApiErrorsMiddleware`` makes every 4xx and 5xx answer under ``/api/`` JSON, whoever
  produced it: Django's 404 for an unknown path, its 500 page, a 400 for a suspicious
  request, a guard's HTML page. Query parameters carrying NUL are refused here, by name,
  before a view hands them to the database.
- ``JsonUnlessDebugNegotiation`` offers the browsable API only while ``DEBUG`` is on (read
  per request, so ``override_settings`` works); otherwise every answer is JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import IO, Any

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

API_PREFIX = "/api/"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("Request body too large.")
    default_code = "payload_too_large"


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or ``None`` when it can."""
    if "\x00" in value:
        return str(ProhibitNullCharactersValidator.message)
    for char in value:
        if 0xD800 <= ord(char) <= 0xDFFF:
            message = str(ProhibitSurrogateCharactersValidator.message)
            return message.format(code_point=ord(char))
    return None


def _printable(name: str) -> str:
    """A name that can go back in a JSON answer even if it holds a lone surrogate."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _bad_strings(data: Any) -> Iterator[tuple[str, str]]:
    """(field, problem) for every string in ``data`` that is not storable text, the field
    being the top-level key it sits under (``""`` for a body that is not an object).

    Iterative on purpose: the parser allows nesting close to the recursion limit.
    """
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                yield field, problem
        elif isinstance(value, dict):
            for key, item in value.items():
                name = field or _printable(str(key))
                problem = text_problem(str(key))
                if problem:
                    yield name, problem
                else:
                    stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((field, item) for item in value)


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, bounded in depth, refusing text PostgreSQL cannot store."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError from None
        problems: dict[str, list[str]] = {}
        for field, problem in _bad_strings(data):
            found = problems.setdefault(field or api_settings.NON_FIELD_ERRORS_KEY, [])
            if problem not in found:
                found.append(problem)
        if problems:
            raise exceptions.ValidationError(problems)
        return data


class JsonUnlessDebugNegotiation(DefaultContentNegotiation):
    """DRF's negotiation without the browsable API unless ``DEBUG`` is on.

    The browsable pages render forms for the filters and bodies of every view; they are a
    developer's tool, not something to offer every signed-in person in production.
    """

    def select_renderer(
        self,
        request: Request,
        renderers: Any,
        format_suffix: str | None = None,
    ) -> Any:
        offered: list[BaseRenderer] = list(renderers)
        if not settings.DEBUG:
            offered = [r for r in offered if not isinstance(r, BrowsableAPIRenderer)]
        return super().select_renderer(request, offered, format_suffix)


def _detail(code: int) -> str:
    """DRF's own wording (and translation) for the common codes."""
    known: dict[int, exceptions.APIException | str] = {
        400: exceptions.ParseError(),
        401: exceptions.NotAuthenticated(),
        403: exceptions.PermissionDenied(),
        404: exceptions.NotFound(),
        406: exceptions.NotAcceptable(),
        413: PayloadTooLarge(),
        429: exceptions.Throttled(),
    }
    found = known.get(code)
    if found is not None:
        return str(found.detail if isinstance(found, exceptions.APIException) else found)
    if code >= 500:
        return str(exceptions.APIException().detail)
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _is_json(response: HttpResponseBase) -> bool:
    kind = response.get("Content-Type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _null_query_parameter(request: HttpRequest) -> str | None:
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key
    return None


class JsonApiErrorsMiddleware:
    """Under ``/api/`` every error is JSON: ``{"detail": "…"}`` with the same status code.

    Responses are rewritten after the fact, so every source is covered (URL resolver,
    Django's handler400/404/500, other middleware) and Django still logs a 500 as usual.
    DRF's browsable pages (``DEBUG`` only) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        name = _null_query_parameter(request)
        if name is not None:
            problem = str(ProhibitNullCharactersValidator.message)
            return JsonResponse({name: [problem]}, status=status.HTTP_400_BAD_REQUEST)
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        renderer = getattr(response, "accepted_renderer", None)
        if isinstance(renderer, BrowsableAPIRenderer):
            return response
        return _as_json(response)


def _as_json(response: HttpResponseBase) -> HttpResponse:
    answer = JsonResponse({"detail": _detail(response.status_code)}, status=response.status_code)
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            answer[header] = value
    answer.cookies = response.cookies
    return answer
