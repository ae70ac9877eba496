"""Slack's Events API: ``POST /api/v1/intake/im/slack/``.

Verified as Slack documents ("Verifying requests from Slack"): ``X-Slack-Signature`` is
``v0=`` and the hex HMAC-SHA256, keyed with ``SLACK_SIGNING_SECRET``, of
``v0:{X-Slack-Request-Timestamp}:{raw body}``; a timestamp more than five minutes away is
refused. The signed ``url_verification`` challenge is answered with the challenge; a
message becomes a ``Delivery`` de-duplicated on the envelope's ``event_id`` (a retry,
``X-Slack-Retry-Num``, is handed on like any delivery: the core knows whether its event was
ever seen). The answer is 200 with an empty body.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from channels import signing
from channels.choices import Provider
from channels.intake import core
from channels.slack import parse

WINDOW = 5 * 60  # seconds either side of now


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify(request: HttpRequest) -> bytes:
    """The raw body of a request Slack signed within the window, or ``Refused``."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        raise signing.forbidden("not_configured")
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    given = request.headers.get("X-Slack-Signature", "")
    if not given:
        raise signing.unauthorized("missing_signature")
    signing.check_fresh(signing.epoch_seconds(timestamp), WINDOW)
    body = request.body
    if not signing.same(given, signature(secret, timestamp, body)):
        raise signing.unauthorized("bad_signature")
    return body


def handle(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        body = verify(request)
        payload = signing.json_object(body)
        if payload.get("type") == "url_verification":
            return JsonResponse({"challenge": signing.ident(payload, "challenge", required=True)})
        delivery = parse.delivery(payload)
    except signing.Refused as error:
        return signing.refusal(Provider.SLACK, error)
    if delivery is not None:
        core.receive(delivery)
    return HttpResponse(status=200)
