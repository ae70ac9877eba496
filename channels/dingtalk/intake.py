"""DingTalk's robot callback (HTTP mode): ``POST /api/v1/intake/im/dingtalk/``.

Verified as DingTalk documents for a robot receiving messages: the headers ``timestamp``
(milliseconds) and ``sign``, the base64 HMAC-SHA256 keyed with ``DINGTALK_APP_SECRET`` of
``timestamp + "\\n" + secret``; a timestamp more than an hour away is refused. The scheme
signs the time, not the body, so a message is de-duplicated on its own ``msgId`` (never on
``sign``, which two messages in the same millisecond share); neither header is ever logged.
The answer is 200 ``{}``: a reply to the sender goes out by ``channels.tasks`` after the
commit, not in this answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from channels import signing
from channels.choices import Provider
from channels.dingtalk import parse
from channels.intake import core

WINDOW = 60 * 60  # seconds either side of now


def signature(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def verify(request: HttpRequest) -> None:
    secret = settings.DINGTALK_APP_SECRET
    if not secret:
        raise signing.forbidden("not_configured")
    timestamp = request.headers.get("timestamp", "")
    given = request.headers.get("sign", "")
    if not given:
        raise signing.unauthorized("missing_signature")
    signing.check_fresh(signing.epoch_seconds(timestamp, unit=1000), WINDOW)
    if not signing.same(given, signature(timestamp, secret)):
        raise signing.unauthorized("bad_signature")


def handle(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        verify(request)
        delivery = parse.delivery(signing.json_object(request.body))
    except signing.Refused as error:
        return signing.refusal(Provider.DINGTALK, error)
    if delivery is not None:
        core.receive(delivery)
    return JsonResponse({})
