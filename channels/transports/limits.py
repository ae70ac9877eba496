"""Back-off after a provider says "too fast", shared by every worker through the cache.

When a provider (or one group robot) answers with its rate limit, every message to it
waits: ``hit`` records until when (what the provider asked, at least a step that doubles
while the limit keeps being hit, from 30 s up to 15 min) and returns the ``RetryLater``
to raise; ``check`` raises it at once for the next message, without calling the provider.
The outbox keeps the row and takes it again after the wait: no worker sleeps. A process
that found a target clear does not ask the cache again for a second (a limit hit by
another worker is seen that much later).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils import timezone

from notifications.transports import RetryLater

FIRST_STEP = 30.0
MAX_STEP = 900.0
# How long a step is remembered after its wait ends (a limit hit again soon doubles it).
MEMORY = 600
# How long a process trusts that a target it found clear is still clear.
CLEAR_SECONDS = 1.0
_clear_until: dict[str, float] = {}


def _key(target: str) -> str:
    return f"channels:limit:{target}"


def check(target: str) -> None:
    """Raise ``RetryLater`` while ``target`` (a provider, ``robot:<id>``) is backing off."""
    if _clear_until.get(target, 0.0) > time.monotonic():
        return
    state = cache.get(_key(target))
    if not state:
        _clear_until[target] = time.monotonic() + CLEAR_SECONDS
        return
    left = float(state["until"]) - timezone.now().timestamp()
    if left > 0:
        raise RetryLater(f"{target} is rate-limited for {left:.0f} s more", after=left)


def hit(target: str, asked: float | None = None) -> RetryLater:
    """Record a rate-limit answer from ``target``; the ``RetryLater`` to raise."""
    _clear_until.pop(target, None)
    now = timezone.now().timestamp()
    state = cache.get(_key(target))
    step = min(float(state["step"]) * 2, MAX_STEP) if state else FIRST_STEP
    wait = max(asked or 0.0, step)
    cache.set(_key(target), {"until": now + wait, "step": step}, timeout=int(wait) + MEMORY)
    return RetryLater(f"{target} asked us to slow down; waiting {wait:.0f} s", after=wait)


def forget_local() -> None:
    """Forget which targets this process found clear (tests, after the cache was emptied)."""
    _clear_until.clear()
