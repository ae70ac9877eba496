"""``{% sweeps_watch as watch %}``: the stale sweeps, for the admin home's red banner."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis
from django import template

from servicedesk import heartbeats

register = template.Library()


@dataclass
class Watch:
    stale: list[heartbeats.SweepRun] = field(default_factory=list)
    unreadable: bool = False  # Redis did not answer: nobody can tell
    seconds: int = field(default_factory=lambda: int(heartbeats.stale_after().total_seconds()))


@register.simple_tag
def sweeps_watch() -> Watch:
    try:
        return Watch(stale=heartbeats.stale())
    except redis.RedisError:
        return Watch(unreadable=True)
