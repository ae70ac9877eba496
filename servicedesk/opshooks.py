"""Where the operations wiring plugs into the apps, through the hooks they offer.

- ``sla.obligations.on_swept``: every batch of every sweep writes its heartbeat and adds
  to the sweep counters (``servicedesk.heartbeats``);
- ``notifications.outbox.on_save``: the rows handed to the outbox, by channel, counted once
  their transaction commits (an IM row is counted once per person as ``im``, before the
  outbox turns it into one row per IM the person uses);
- ``notifications.delivery.on_sent``: what each delivery attempt came to, by channel —
  sent, failed (kept for a retry, or given up), deferred (the provider asked to wait).

The counts go to the desk-wide counters (``servicedesk.deskstate``) that ``/metrics`` shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from notifications import delivery, outbox
from servicedesk import deskstate, heartbeats
from sla import obligations


def install() -> None:
    """Register every hook (idempotent: each registry ignores a second registration)."""
    obligations.on_swept(heartbeats.record)
    outbox.on_save(count_written)
    delivery.on_sent(count_attempt)


def count_written(rows: Sequence[Any]) -> None:
    by_channel = Counter(str(row.channel) for row in rows)
    if by_channel:
        transaction.on_commit(lambda: _add_all("notifications_written", by_channel))


def _add_all(counter: str, counts: Counter[str]) -> None:
    for channel, n in counts.items():
        deskstate.add(counter, channel, n)


def count_attempt(channel: str, outcome: delivery.Outcome) -> None:
    """One delivery attempt, counted as ``notifications_<outcome>`` for its channel."""
    deskstate.add(f"notifications_{outcome}", channel)
