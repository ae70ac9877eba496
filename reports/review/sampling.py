"""The audit's sample: stratified by priority, reproducible from its seed. Pure.

**Allocation.** With ``size`` at least the number of tickets, every ticket is taken.
Otherwise every priority present gets at least one ticket (so the sample may exceed
``size`` when ``size`` is smaller than the number of priorities present) and the rest is
proportional to each priority's share of the month: priority *p* with *N_p* of the *N*
tickets has the quota ``size × N_p / N``; each gets the whole part of its quota (at least
one, at most *N_p*), then the seats left go by the largest remainder of the quota, ties to
the higher priority (the Hamilton method).

**Drawing.** One ``random.Random(seed)`` draws the strata in priority order (high,
medium, low), each from its ticket ids in ascending order, by a partial Fisher–Yates
shuffle driven only by ``Random.random()`` — the one output Python promises to keep
across versions for a given seed (``Random.sample``'s algorithm is not promised). The
same seed over the same tickets therefore gives the same sample, on any machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

# Strata in drawing order; a value outside this list sorts after it, by name.
PRIORITY_ORDER = ("high", "medium", "low")


def stratum_order(priorities: Sequence[str]) -> list[str]:
    def rank(value: str) -> tuple[int, str]:
        known = PRIORITY_ORDER.index(value) if value in PRIORITY_ORDER else len(PRIORITY_ORDER)
        return known, value

    return sorted(priorities, key=rank)


def allocate(sizes: Mapping[str, int], size: int) -> dict[str, int]:
    """How many tickets each priority gives (see the module's docstring)."""
    present = [p for p in stratum_order(list(sizes)) if sizes[p] > 0]
    total = sum(sizes[p] for p in present)
    if size >= total:
        return {p: sizes[p] for p in present}
    size = max(size, len(present))
    quota = {p: size * sizes[p] / total for p in present}
    taken = {p: min(sizes[p], max(1, math.floor(quota[p]))) for p in present}
    # Whole parts (floored at one) may overshoot when small strata were lifted to one:
    # take back from the most over-served first, lowest priority first on ties.
    while sum(taken.values()) > size:
        p = min(
            (p for p in reversed(present) if taken[p] > 1),
            key=lambda p: quota[p] - taken[p],
        )
        taken[p] -= 1
    while sum(taken.values()) < size:
        p = max(
            (p for p in present if taken[p] < sizes[p]),
            key=lambda p: quota[p] - taken[p],
        )
        taken[p] += 1
    return taken


def _pick(rng: random.Random, ids: Sequence[int], k: int) -> list[int]:
    """``k`` of ``ids`` by a partial Fisher–Yates shuffle on ``rng.random()`` alone."""
    pool = list(ids)
    for i in range(k):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def draw(strata: Mapping[str, Sequence[int]], size: int, seed: int) -> list[tuple[str, int]]:
    """``(priority, ticket id)`` of the sample, stratum by stratum in priority order, each
    stratum in the order drawn. ``strata`` maps a priority to its ticket ids (any order)."""
    counts = allocate({p: len(ids) for p, ids in strata.items()}, size)
    rng = random.Random(seed)  # noqa: S311 - reproducible by design, nothing secret
    sample: list[tuple[str, int]] = []
    for priority in stratum_order(list(counts)):
        ids = sorted(strata[priority])
        sample += [(priority, ticket_id) for ticket_id in _pick(rng, ids, counts[priority])]
    return sample
