"""App access tokens (Feishu's tenant_access_token, DingTalk's accessToken, WeCom's
access_token), fetched once and kept in Django's cache until shortly before they expire,
so every worker shares one; each process also keeps the one it read for a minute (a burst
of messages does not ask the cache for every one). A token the provider refuses is
forgotten (``forget``) and the message retried with a new one."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.core.cache import cache

# Fetch a new token this many seconds before the provider's expiry.
MARGIN = 300
# How long a process reuses a token it read (well inside MARGIN).
LOCAL_SECONDS = 60.0
_local: dict[str, tuple[str, float]] = {}


def _key(provider: str, app: str) -> str:
    digest = hashlib.sha256(app.encode()).hexdigest()[:16]
    return f"channels:token:{provider}:{digest}"


def get(provider: str, app: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """The cached token of ``app`` at ``provider``, else ``fetch()`` → (token, seconds)."""
    key = _key(provider, app)
    held = _local.get(key)
    if held is not None and held[1] > time.monotonic():
        return held[0]
    token = cache.get(key)
    if not token:
        token, expires_in = fetch()
        if not token:
            raise ValueError(f"{provider} gave no token")
        cache.set(key, token, timeout=max(int(expires_in) - MARGIN, 60))
    _local[key] = (str(token), time.monotonic() + LOCAL_SECONDS)
    return str(token)


def forget(provider: str, app: str) -> None:
    key = _key(provider, app)
    _local.pop(key, None)
    cache.delete(key)


def forget_local() -> None:
    """Drop every token this process holds (tests, after the cache was emptied)."""
    _local.clear()
