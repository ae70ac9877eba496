"""Clock helpers shared by the SLA tests: Shanghai wall-clock times, written short."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> dt.datetime:
    """``sh(2026, 11, 23, 9, 0)``: that moment in Asia/Shanghai."""
    return dt.datetime(*args, tzinfo=SHANGHAI)
