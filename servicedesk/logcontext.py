"""What every log line of one request or one task carries: its request id and user id.

Set by ``servicedesk.middleware.RequestLogMiddleware`` for a web request and by the Celery
signals in ``servicedesk.celery`` for a task (whose request id came with it from the request
that enqueued it, in the message's ``request_id`` header); read by the JSON formatter
(``servicedesk.jsonlog``) for every line logged meanwhile, whoever logs it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id: ContextVar[int | None] = ContextVar("user_id", default=None)

# An id from the proxy in front (nginx's $request_id, a load balancer's trace id) is kept
# when it looks like one; anything else is replaced, so a client cannot inject log text.
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id(offered: str | None = None) -> str:
    if offered and _SANE.fullmatch(offered):
        return offered
    return uuid.uuid4().hex
