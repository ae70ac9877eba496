"""WeCom (企业微信) app callbacks: ``GET`` and ``POST /api/v1/intake/im/wecom/``.

``WECOM_TOKEN``, ``WECOM_ENCODING_AES_KEY`` and ``WECOM_CORP_ID`` configure it (see
``crypto``). Both methods carry ``msg_signature``, ``timestamp`` (refused beyond 24 hours)
and ``nonce`` in the query.

* ``GET`` is the URL handshake: the signature covers ``echostr``; the answer is the
  decrypted ``echostr``, bare.
* ``POST`` is an encrypted message: XML whose ``Encrypt`` the signature covers. The
  decrypted message must be sealed for our CorpID (403 otherwise); it becomes a
  ``Delivery`` (``parse``). The answer is 200 with an empty body.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from channels import signing
from channels.choices import Provider
from channels.intake import core
from channels.wecom import crypto, parse

logger = logging.getLogger("channels.intake")

WINDOW = 24 * 60 * 60  # seconds either side of now


def _config() -> tuple[str, bytes, str]:
    token, corp_id = settings.WECOM_TOKEN, settings.WECOM_CORP_ID
    if not token or not corp_id or not settings.WECOM_ENCODING_AES_KEY:
        raise signing.forbidden("not_configured")
    try:
        key = crypto.aes_key(settings.WECOM_ENCODING_AES_KEY)
    except ValueError as error:
        logger.error("WECOM_ENCODING_AES_KEY is unusable: %s", error)
        raise signing.forbidden("not_configured") from None
    return token, key, corp_id


def open_sealed(request: HttpRequest, encrypted: str, token: str, key: bytes, corp: str) -> bytes:
    """The plain text of ``encrypted`` once the query's signature over it checks out and
    it was sealed for ``corp``."""
    given = request.GET.get("msg_signature", "")
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    if not signing.same(given, crypto.signature(token, timestamp, nonce, encrypted)):
        raise signing.unauthorized("bad_signature")
    try:
        plain, receiver = crypto.decrypt(key, encrypted)
    except ValueError:
        raise signing.malformed("bad_encrypt") from None
    if not signing.same(receiver, corp):
        raise signing.forbidden("bad_corp_id")
    return plain


def handle(request: HttpRequest) -> HttpResponse:
    try:
        token, key, corp = _config()
        if not request.GET.get("msg_signature"):
            raise signing.unauthorized("missing_signature")
        signing.check_fresh(signing.epoch_seconds(request.GET.get("timestamp", "")), WINDOW)
        if request.method == "GET":
            return handshake(request, token, key, corp)
        try:
            outer = parse.fields(request.body)
        except ValueError:
            raise signing.malformed("bad_xml") from None
        encrypted = outer.get("Encrypt", "")
        if not encrypted:
            raise signing.malformed("missing_Encrypt")
        plain = open_sealed(request, encrypted, token, key, corp)
        try:
            message = parse.fields(plain)
        except ValueError:
            raise signing.malformed("bad_xml") from None
        delivery = parse.delivery(message)
    except signing.Refused as error:
        return signing.refusal(Provider.WECOM, error)
    if delivery is not None:
        core.receive(delivery)
    return HttpResponse(b"", content_type="text/plain")


def handshake(request: HttpRequest, token: str, key: bytes, corp: str) -> HttpResponse:
    echostr = request.GET.get("echostr", "")
    if not echostr:
        raise signing.malformed("missing_echostr")
    plain = open_sealed(request, echostr, token, key, corp)
    try:
        answer = plain.decode()
    except UnicodeDecodeError:
        raise signing.malformed("bad_encrypt") from None
    return HttpResponse(answer, content_type="text/plain; charset=utf-8")
