"""What every provider's intake shares: constant-time comparison, the timestamp windows,
the refusals it answers with, AES-CBC with strict PKCS#7, and careful reading of a decoded
payload (a malformed body is a 400, never a 500).

Nothing here reads a clock but ``django.utils.timezone.now()``, and nothing logs a
request's headers or body: a refusal names its reason, never the values it refused.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

logger = logging.getLogger("channels.intake")

# The longest provider id the intake passes on (InboundMessage.event_id and .sender hold 128).
MAX_ID = 128
# Control characters PostgreSQL or a log line should never see in an id.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Refused(Exception):
    """The request is not the provider's, is stale or is malformed: answered ``status`` with
    a short machine-readable ``reason`` (the provider's console shows it to the admin)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def unauthorized(reason: str) -> Refused:
    """A missing, bad or stale signature: 401."""
    return Refused(401, reason)


def forbidden(reason: str) -> Refused:
    """Signed, but not for this desk (wrong token or CorpID), or the provider's secrets are
    not configured: 403."""
    return Refused(403, reason)


def malformed(reason: str) -> Refused:
    """A body the scheme cannot read: 400."""
    return Refused(400, reason)


def refusal(provider: str, error: Refused) -> HttpResponse:
    logger.warning("%s intake refused (%s): %s", provider, error.status, error.reason)
    return JsonResponse({"error": error.reason}, status=error.status)


# --- comparison and time -------------------------------------------------------------------


def same(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time equality of two signatures (a str is compared as UTF-8)."""
    a = given.encode() if isinstance(given, str) else given
    b = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(a, b)


def epoch_seconds(raw: str, *, unit: int = 1) -> float:
    """A provider's timestamp (decimal digits, in seconds or with ``unit=1000`` in
    milliseconds) as seconds; anything else is a bad signature (401)."""
    if not raw or len(raw) > 16 or not raw.isascii() or not raw.isdigit():
        raise unauthorized("bad_timestamp")
    return int(raw) / unit


def check_fresh(seconds: float, window: float) -> None:
    """Refuse (401) a timestamp more than ``window`` seconds from now, either way: an old
    one is a replay, one from the future a signature made to be replayed later."""
    now = timezone.now().timestamp()
    if abs(now - seconds) > window:
        raise unauthorized("stale_timestamp")


# --- AES-256-CBC with PKCS#7 ----------------------------------------------------------------


def aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes, *, block: int) -> bytes:
    """Decrypt ``data`` and strip PKCS#7 padding to ``block`` bytes, checked byte by byte;
    a wrong length or padding raises ``ValueError``."""
    if not data or len(data) % 16:
        raise ValueError("ciphertext is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= block or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad padding")
    return plain[:-pad]


def aes_cbc_encrypt(key: bytes, iv: bytes, plain: bytes, *, block: int) -> bytes:
    """The inverse of ``aes_cbc_decrypt`` (the tests' signed deliveries use it)."""
    pad = block - len(plain) % block
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()


# --- reading a decoded payload ---------------------------------------------------------------


def json_object(raw: bytes | str, reason: str = "body_not_json") -> dict[str, Any]:
    """A JSON object, or a 400 (not JSON, nested too deep, not an object)."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise malformed(reason) from None
    if not isinstance(value, dict):
        raise malformed(reason)
    return value


def obj(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``data[key]`` when it is an object, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def text(data: Mapping[str, Any], key: str) -> str:
    """``data[key]`` as text for people to read: a string (numbers are not text), without
    NUL and lone surrogates (PostgreSQL stores neither); "" when absent or not a string."""
    value = data.get(key)
    if not isinstance(value, str):
        return ""
    return plain(value)


def plain(value: str) -> str:
    """``value`` without NUL and with lone surrogates replaced."""
    value = value.replace("\x00", "")
    return value.encode("utf-8", "replace").decode("utf-8")


def ident(data: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    """A provider's id (an event, a user, a chat): a string of at most ``MAX_ID`` printable
    characters, or "" when absent and not ``required``; anything else is a 400 naming it."""
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise malformed(f"missing_{key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise malformed(f"bad_{key}")
    value = str(value)
    if len(value) > MAX_ID or _CONTROL.search(value) or value != plain(value):
        raise malformed(f"bad_{key}")
    return value


def flag(data: Mapping[str, Any], key: str) -> bool:
    """A JSON boolean (or the strings "true"/"1"), False when absent or anything else."""
    value = data.get(key)
    return value is True or value in ("true", "1")
