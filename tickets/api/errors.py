"""Map domain errors to HTTP: 404 not visible, 403 not allowed, 409 wrong state, 400 bad input."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servicedesk.lib.api_http import PayloadTooLarge
from tickets.attachments import too_many_files_message
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TicketNotFound):
        exc = Http404()
    elif isinstance(exc, ActionForbidden):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, InvalidTransition):
        exc = Conflict(str(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFilesSent):
        # Django's parser stopped a flood of files before the service could count them.
        exc = exceptions.ValidationError({"file": [too_many_files_message(None)]})
    elif isinstance(exc, RecursionError):
        # A view whose own parser list has DRF's plain JSONParser, fed a body nested
        # thousands deep (servicedesk.lib.api_http.SafeJSONParser answers this itself).
        logger.warning("Request refused: input nested too deeply", exc_info=exc)
        exc = exceptions.ParseError()
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
