"""Fixed-window request counters in the cache (Redis in production).

Used for password reset: each request counts against the client address and the e-mail
address it names. The counters live in the shared cache so every web process sees them;
if the cache loses them (restart, eviction) the limit merely starts over.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def _key(scope: str, value: str) -> str:
    # Hashed: e-mail addresses and IPs stay out of the cache's key space, and any length fits.
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"throttle:{scope}:{digest}"


def hit(scope: str, value: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request for ``value``; ``True`` while the count is within ``limit``.

    ``add`` then ``incr`` are each atomic in Redis, so concurrent requests are all counted;
    the window starts at the first request and is not extended by later ones. With the
    cache unreachable the request goes ahead (logged): a person must still be able to reset
    a password while Redis is down, and axes still limits sign-in attempts in the database.
    """
    key = _key(scope, value)
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    except Exception:  # the cache (Redis) is unreachable: fail open, loudly
        log.warning("throttle %s: cache unavailable; request not counted", scope, exc_info=True)
        return True
    return count <= limit


def allow_password_reset(*, email: str, client: str) -> bool:
    """Whether a password reset request for ``email`` from ``client`` may go ahead.

    The client is checked first, so a client over its limit does not also use up the
    quota of every address it tries.
    """
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    if not hit(
        "password-reset:client",
        client,
        limit=settings.PASSWORD_RESET_MAX_PER_CLIENT,
        window_seconds=window,
    ):
        return False
    return hit(
        "password-reset:address",
        email.strip().lower(),
        limit=settings.PASSWORD_RESET_MAX_PER_ADDRESS,
        window_seconds=window,
    )
