"""Feishu (Lark) event subscription: ``POST /api/v1/intake/im/feishu/``.

Encryption is required (``FEISHU_ENCRYPT_KEY``; ``FEISHU_VERIFICATION_TOKEN`` checks the
decrypted event). A signed request (``X-Lark-Signature``, see ``crypto``) with a timestamp
within 24 hours is decrypted and its ``header.token`` checked; the URL check
(``url_verification``), which Feishu sends encrypted but unsigned, is answered with JSON
``{"challenge": …}`` once its token checks out, and an unsigned request that is anything
else is refused. A received message becomes a ``Delivery`` (``parse``), de-duplicated on
``header.event_id``. The answer is 200 ``{}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from channels import signing
from channels.choices import Provider
from channels.feishu import crypto, parse
from channels.intake import core

WINDOW = 24 * 60 * 60  # seconds either side of now
URL_CHECK = "url_verification"


def _decrypted(body: bytes, encrypt_key: str) -> dict[str, Any]:
    envelope = signing.json_object(body)
    encrypted = envelope.get("encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise signing.malformed("missing_encrypt")
    try:
        plain = crypto.decrypt(encrypt_key, encrypted)
    except ValueError:
        raise signing.malformed("bad_encrypt") from None
    return signing.json_object(plain, "bad_encrypt")


def event_of(request: HttpRequest) -> dict[str, Any]:
    """The decrypted event of a request Feishu signed (or of its unsigned URL check)."""
    encrypt_key = settings.FEISHU_ENCRYPT_KEY
    token = settings.FEISHU_VERIFICATION_TOKEN
    if not encrypt_key or not token:
        raise signing.forbidden("not_configured")
    body = request.body
    given = request.headers.get("X-Lark-Signature", "")
    if given:
        timestamp = request.headers.get("X-Lark-Request-Timestamp", "")
        nonce = request.headers.get("X-Lark-Request-Nonce", "")
        signing.check_fresh(signing.epoch_seconds(timestamp), WINDOW)
        if not signing.same(given, crypto.signature(timestamp, nonce, encrypt_key, body)):
            raise signing.unauthorized("bad_signature")
        event = _decrypted(body, encrypt_key)
    else:
        # Only the URL check comes unsigned; whatever else is unsigned is nobody's.
        try:
            event = _decrypted(body, encrypt_key)
        except signing.Refused:
            raise signing.unauthorized("missing_signature") from None
        if event.get("type") != URL_CHECK:
            raise signing.unauthorized("missing_signature")
    if not signing.same(_token(event), token):
        raise signing.forbidden("bad_token")
    return event


def _token(event: Mapping[str, Any]) -> str:
    """The Verification Token the event carries: ``header.token`` (schema 2.0), or at the
    top (the URL check and schema 1.0)."""
    header = signing.obj(event, "header")
    value = header.get("token") if header else event.get("token")
    return value if isinstance(value, str) else ""


def handle(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        event = event_of(request)
        if event.get("type") == URL_CHECK:
            return JsonResponse({"challenge": signing.ident(event, "challenge", required=True)})
        delivery = parse.delivery(event)
    except signing.Refused as error:
        return signing.refusal(Provider.FEISHU, error)
    if delivery is not None:
        core.receive(delivery)
    return JsonResponse({})
