"""The sweeps watched: when each timed-obligation sweep last finished, and what it did.

The SLA promises hold only while beat ticks and a worker sweeps. Every batch of every
registered obligation (``sla.obligations.on_swept``) writes here, in Redis
(``servicedesk.deskstate``): the moment it finished, how long it took and how many rows it
claimed and events it recorded, and adds to the desk-wide counters the metrics show.
A sweep with no batch finished in the last three beat intervals is *stale*: ``/readyz``
answers 503 naming it, the admin home shows a red banner, ``servicedesk_sweep_stale`` is 1.

The interval is the beat schedule's own (``sla.tasks.run_sweeps``, ``SLA_SWEEP_SECONDS``).
A sweep that never recorded a run is stale too: a desk just installed reads as not ready
until beat's first tick has been swept (seconds after start-up, beat runs every interval
task at once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import redis
from django.conf import settings
from django.utils import timezone

from servicedesk import deskstate
from sla import obligations

# A sweep is stale when none of its batches finished in this many beat intervals.
STALE_INTERVALS = 3
# The per-minute breach counts behind "breaches in the last hour" expire after two hours.
BUCKET_TTL = 2 * 3600
BEAT_ENTRY = "sla.tasks.run_sweeps"


@dataclass(frozen=True, slots=True)
class SweepRun:
    """The last batch of one sweep, as recorded."""

    name: str
    finished_at: dt.datetime | None
    seconds: float = 0.0
    claimed: int = 0
    recorded: int = 0

    def stale(self, now: dt.datetime) -> bool:
        return self.finished_at is None or self.finished_at < now - stale_after()


def interval() -> dt.timedelta:
    """How often beat starts the sweeps (its schedule entry for ``run_sweeps``)."""
    entry = settings.CELERY_BEAT_SCHEDULE[BEAT_ENTRY]
    return dt.timedelta(seconds=float(entry["schedule"]))  # type: ignore[arg-type]


def stale_after() -> dt.timedelta:
    return STALE_INTERVALS * interval()


def record(name: str, batch: obligations.BatchResult, seconds: float) -> None:
    """The ``on_swept`` hook: one batch of ``name`` finished (Redis errors are logged)."""
    now = timezone.now()
    recorded: dict[str, int] = {}
    for due in batch.recorded:
        recorded[due.kind] = recorded.get(due.kind, 0) + 1
    try:
        client = deskstate.client()
        pipe = client.pipeline(transaction=False)
        pipe.hset(
            deskstate.key("sweep", name),
            mapping={
                "finished_at": now.timestamp(),
                "seconds": seconds,
                "claimed": batch.claimed,
                "recorded": sum(recorded.values()),
            },
        )
        breaches = sum(n for kind, n in recorded.items() if is_breach(kind))
        if breaches:
            bucket = deskstate.key("breaches", str(int(now.timestamp()) // 60))
            pipe.incrby(bucket, breaches)
            pipe.expire(bucket, BUCKET_TTL)
        pipe.execute()
    except redis.RedisError as exc:
        deskstate.warn(f"heartbeat of {name} not written", exc)
    deskstate.add("sweep_runs", name)
    deskstate.add("sweep_seconds", name, seconds)
    deskstate.add("sweep_claimed", name, batch.claimed)
    for kind, n in recorded.items():
        deskstate.add("sweep_events", f"{name}|{kind}", n)


def is_breach(kind: str) -> bool:
    """The SLA breaches among the recorded kinds (``response_breach``, ``resolution_breach``)."""
    return kind.endswith("_breach")


def last_runs(names: list[str] | None = None) -> list[SweepRun]:
    """The last recorded batch of every registered sweep (or of ``names``), by name.

    Raises ``redis.RedisError`` when Redis does not answer: the caller says so.
    """
    wanted = sorted(names if names is not None else obligations.registered())
    pipe = deskstate.client().pipeline(transaction=False)
    for name in wanted:
        pipe.hgetall(deskstate.key("sweep", name))
    return [_run(name, raw) for name, raw in zip(wanted, pipe.execute(), strict=True)]


def stale(now: dt.datetime | None = None) -> list[SweepRun]:
    """The sweeps with no batch finished in the last three intervals (raises like
    ``last_runs``)."""
    now = now or timezone.now()
    return [run for run in last_runs() if run.stale(now)]


def breaches_last_hour(now: dt.datetime | None = None) -> int:
    """SLA breaches recorded by the sweeps in the last sixty minutes (whole minutes)."""
    now = now or timezone.now()
    minute = int(now.timestamp()) // 60
    keys = [deskstate.key("breaches", str(minute - back)) for back in range(60)]
    return sum(int(value) for value in deskstate.client().mget(keys) if value is not None)


def _run(name: str, raw: dict[bytes, bytes]) -> SweepRun:
    if not raw:
        return SweepRun(name, None)
    fields = {key.decode(): value.decode() for key, value in raw.items()}
    return SweepRun(
        name,
        dt.datetime.fromtimestamp(float(fields["finished_at"]), tz=dt.UTC),
        seconds=float(fields.get("seconds", 0)),
        claimed=int(float(fields.get("claimed", 0))),
        recorded=int(float(fields.get("recorded", 0))),
    )
