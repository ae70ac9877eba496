"""A hand-moved clock for loading demo history, without a test-only package.

The services read the time only through ``django.utils.timezone.now()``; the
demo sets it back so the history has realistic times, and no timestamp is
written by hand. Only ``load_demo`` uses this, in its own process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


class DemoClock:
    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def now(self) -> dt.datetime:
        return self.current

    def shift(self, delta: dt.timedelta) -> None:
        self.current += delta


@contextmanager
def stopped_at(moment: dt.datetime) -> Iterator[DemoClock]:
    """``timezone.now()`` returns ``moment`` (moved by ``shift``) inside the block."""
    clock = DemoClock(moment)
    with mock.patch.object(timezone, "now", clock.now):
        yield clock
