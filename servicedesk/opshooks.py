"""Where the operations wiring plugs into the apps, through the hooks they offer.

- ``sla.obligations.on_swept``: every batch of every sweep writes its heartbeat and adds
  to the sweep counters (``servicedesk.heartbeats``);
- ``notifications.outbox.on_save``: the rows handed to the outbox, by channel, counted once
  their transaction commits (an IM row is counted once per person as ``im``, before the
  outbox turns it into one row per IM the person uses);
- ``notifications.transports``: each channel's transport is registered again wrapped in a
  meter that counts what its ``send`` did — sent, failed (kept for a retry, or given up),
  deferred (the provider asked to wait) — and otherwise is the transport itself.

The counts go to the desk-wide counters (``servicedesk.deskstate``) that ``/metrics`` shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from django.db import transaction

from notifications import outbox, transports
from servicedesk import deskstate, heartbeats
from sla import obligations


def install() -> None:
    """Register every hook (idempotent: each registry ignores a second registration, and a
    metered transport is never wrapped twice)."""
    obligations.on_swept(heartbeats.record)
    outbox.on_save(count_written)
    for channel, module in list(transports.TRANSPORTS.items()):
        if not hasattr(module, "__wrapped__"):
            transports.register(channel, metered(channel, module))


def count_written(rows: Sequence[Any]) -> None:
    by_channel = Counter(str(row.channel) for row in rows)
    if by_channel:
        transaction.on_commit(lambda: _add_all("notifications_written", by_channel))


def _add_all(counter: str, counts: Counter[str]) -> None:
    for channel, n in counts.items():
        deskstate.add(counter, channel, n)


def metered(channel: str, module: ModuleType) -> ModuleType:
    """``module`` with a ``send`` that counts its outcome; every other name is the module's
    own, looked up at each use (so a test patching the transport still reaches it)."""
    wrapper = ModuleType(module.__name__, module.__doc__)

    def send(notification: Any) -> Any:
        try:
            result = module.send(notification)
        except transports.RetryLater:
            deskstate.add("notifications_deferred", channel)
            raise
        except Exception:
            deskstate.add("notifications_failed", channel)
            raise
        deskstate.add("notifications_sent", channel)
        return result

    wrapper.send = send  # type: ignore[attr-defined]
    wrapper.__getattr__ = lambda name: getattr(module, name)  # type: ignore[method-assign]
    wrapper.__wrapped__ = module  # type: ignore[attr-defined]
    return wrapper
