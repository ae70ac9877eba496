"""Timed obligations: one mechanism for every promise with a clock.

A feature declares an ``Obligation`` — which rows (a model with a next-check
column under a partial index), which event table records what came due
(unique on object, kind and due time), what to change on the row afterwards,
and whom to tell — and registers it. It never copies the sweep below.

The sweep, one batch per transaction:

1. claims due rows (``next_check <= now``) in deadline order with
   ``select_for_update(skip_locked=True, no_key=True)``, so two sweeps (two
   beats, a slow run overlapping the next, a second host) split the work
   instead of doubling it; a row a service holds locked is skipped and picked
   up next time;
2. asks the declaration what has come due on each row and inserts those
   events with ``INSERT … ON CONFLICT DO NOTHING RETURNING``: only the sweep
   that really inserted an event goes on to announce it;
3. lets the declaration move the row on (a breach time, the next check) and
   writes those columns for the whole batch in one ``UPDATE … FROM unnest``;
4. lets the declaration announce what was newly recorded (timeline entries,
   notifications) in the same transaction; e-mails leave after commit.

``sweep_batch`` is one such transaction; ``sweep`` loops until no full batch
is left (management command, tests, benchmarks); the Celery task
``sla.tasks.sweep_obligation`` runs one batch and re-enqueues itself while
batches come back full, up to ``SLA_SWEEP_MAX_BATCHES``.

After every batch, found rows or not, the hooks registered with ``on_swept`` hear which
obligation ran, what it did and how long it took: the operations' heartbeat (when each
sweep last finished, for ``/readyz`` and the metrics) is kept that way, outside this app.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone

from servicedesk.lib import sql

log = logging.getLogger(__name__)

Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True, slots=True)
class Due:
    """One obligation that has come due on one row: recorded once per (row, kind, due time)."""

    object_id: int
    kind: str
    due_at: dt.datetime


@dataclass
class BatchResult:
    claimed: int = 0
    recorded: list[Due] = field(default_factory=list)


@dataclass
class SweepResult:
    """What one sweep did: rows looked at, events recorded (by kind), batches run."""

    name: str
    claimed: int = 0
    batches: int = 0
    recorded: dict[str, int] = field(default_factory=dict)
    more: bool = False

    @property
    def total(self) -> int:
        return sum(self.recorded.values())

    def add(self, batch: BatchResult) -> None:
        self.batches += 1
        self.claimed += batch.claimed
        for due in batch.recorded:
            self.recorded[due.kind] = self.recorded.get(due.kind, 0) + 1


class Obligation(Generic[Row]):
    """A declaration. Subclass, set the class attributes, implement ``due`` and ``advance``
    (and ``announce`` to tell people), and ``register`` an instance.

    ``model``            the rows that carry the obligation;
    ``next_check_field`` their next-check column (NULL: nothing to watch), partial-indexed;
    ``event_model``      where a due obligation is recorded; it must have the foreign key
                         ``event_object_field`` to ``model`` and ``kind``, ``due_at`` and
                         ``created_at`` columns, and a unique constraint on
                         (object, kind, due_at);
    ``fields``           the columns ``due``/``advance``/``announce`` read (``only()``);
                         the rows' and events' keys are integers (``bigint`` arrays);
    ``progress_fields``  the columns ``advance`` may change (the next check included).
    """

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    next_check_field: ClassVar[str]
    event_model: ClassVar[type[models.Model]]
    event_object_field: ClassVar[str]
    fields: ClassVar[Sequence[str]] = ()
    progress_fields: ClassVar[Sequence[str]] = ()
    batch_size: ClassVar[int] = 500

    def due(self, row: Row, now: dt.datetime) -> list[Due]:
        """What has come due on this row by ``now`` (recorded unless it already was)."""
        raise NotImplementedError

    def advance(self, row: Row, due: list[Due], now: dt.datetime) -> None:
        """Change the row's progress fields after ``due`` was handled; set the next check
        (to a moment after ``now``, or ``None``)."""
        raise NotImplementedError

    def announce(self, rows: list[Row], recorded: list[Due], now: dt.datetime) -> None:
        """Tell people about the events this sweep newly recorded (same transaction)."""


_registry: dict[str, Obligation[Any]] = {}


def register(obligation: Obligation[Any]) -> Obligation[Any]:
    """Add a declaration (from the feature's ``AppConfig.ready``). Idempotent by name."""
    _registry[obligation.name] = obligation
    return obligation


def registered() -> dict[str, Obligation[Any]]:
    return dict(_registry)


SweptHook = Callable[[str, "BatchResult", float], None]
_swept_hooks: list[SweptHook] = []


def on_swept(hook: SweptHook) -> None:
    """Call ``hook(name, batch, seconds)`` after each batch of a sweep, once its transaction
    is over (a higher layer's ``AppConfig.ready`` registers it). Idempotent. A failing hook
    is logged and never fails the sweep."""
    if hook not in _swept_hooks:
        _swept_hooks.append(hook)


def get(name: str) -> Obligation[Any]:
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no timed obligation named {name!r}") from None


def sweep(
    obligation: Obligation[Any] | str,
    *,
    now: dt.datetime | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
) -> SweepResult:
    """Run batches until one comes back short (or ``max_batches`` ran)."""
    decl = get(obligation) if isinstance(obligation, str) else obligation
    now = now or timezone.now()
    size = batch_size or decl.batch_size
    result = SweepResult(decl.name)
    while True:
        batch = sweep_batch(decl, now=now, batch_size=size)
        result.add(batch)
        if batch.claimed < size:
            return result
        if max_batches is not None and result.batches >= max_batches:
            result.more = True
            return result


def sweep_batch(
    obligation: Obligation[Any], *, now: dt.datetime, batch_size: int | None = None
) -> BatchResult:
    """One transaction: claim up to ``batch_size`` due rows, record, advance, announce;
    then tell the ``on_swept`` hooks."""
    started = time.monotonic()  # a stopwatch for the hooks, not the sweep's clock (``now``)
    result = _batch(obligation, now=now, batch_size=batch_size)
    seconds = time.monotonic() - started
    for hook in _swept_hooks:
        try:
            hook(obligation.name, result, seconds)
        except Exception:
            log.exception("a hook failed after a batch of %s", obligation.name)
    return result


def _batch(obligation: Obligation[Any], *, now: dt.datetime, batch_size: int | None) -> BatchResult:
    size = batch_size or obligation.batch_size
    model = obligation.model
    column = obligation.next_check_field
    with transaction.atomic():
        rows = list(
            model._default_manager.select_for_update(skip_locked=True, no_key=True)
            .filter(**{f"{column}__lte": now})
            .order_by(column)
            .only(*obligation.fields, column)[:size]
        )
        if not rows:
            return BatchResult()
        due = {row.pk: obligation.due(row, now) for row in rows}
        everything = [d for row in rows for d in due[row.pk]]
        inserted = _insert_events(obligation, everything, now)
        for row in rows:
            obligation.advance(row, due[row.pk], now)
            _check_moved_on(obligation, row, now)
        _save_progress(obligation, rows)
        recorded = [d for d in everything if (d.object_id, d.kind, d.due_at) in inserted]
        if recorded:
            obligation.announce(rows, recorded, now)
            log.info("%s recorded %d events", obligation.name, len(recorded))
    return BatchResult(claimed=len(rows), recorded=recorded)


# A declaration that leaves a row due again at once would be claimed by every batch, forever.
STUCK_RETRY = dt.timedelta(minutes=1)


def _check_moved_on(obligation: Obligation[Any], row: Any, now: dt.datetime) -> None:
    """One bad row must not block the sweep: a next check not after ``now`` is pushed a
    minute on and logged (healthchecks' ``handle_going_down`` does the same)."""
    column = obligation.next_check_field
    next_check = getattr(row, column)
    if next_check is not None and next_check <= now:
        log.error(
            "%s left %s %s due at %s; retrying in a minute",
            obligation.name,
            row._meta.label,
            row.pk,
            next_check,
        )
        setattr(row, column, now + STUCK_RETRY)


def _insert_events(
    obligation: Obligation[Any], due: list[Due], now: dt.datetime
) -> set[tuple[int, str, dt.datetime]]:
    if not due:
        return set()
    meta = obligation.event_model._meta
    target = sql.column(meta.get_field(obligation.event_object_field))
    params: list[list[Any]] = [
        [d.object_id for d in due],
        [d.kind for d in due],
        [d.due_at for d in due],
        [now] * len(due),
    ]
    # Only names from the model's metadata are interpolated; values travel as arrays.
    rows = sql.execute_arrays(
        f"INSERT INTO {sql.table(obligation.event_model)} "  # noqa: S608
        f"({target}, kind, due_at, created_at) "
        "SELECT * FROM unnest(%b::bigint[], %b::text[], %b::timestamptz[], %b::timestamptz[]) "
        f"ON CONFLICT ({target}, kind, due_at) DO NOTHING "
        f"RETURNING {target}, kind, due_at",
        params,
    )
    return {(pk, kind, due_at) for pk, kind, due_at in rows}


def _save_progress(obligation: Obligation[Any], rows: list[Any]) -> None:
    """Write the batch's progress columns in one ``UPDATE … FROM unnest(arrays)``.

    Django's ``bulk_update`` builds a CASE per row and column; with 500 rows it
    cost more than everything else in the batch.
    """
    meta = obligation.model._meta
    names = [*obligation.progress_fields]
    if obligation.next_check_field not in names:
        names.append(obligation.next_check_field)
    fields = [meta.get_field(name) for name in names]
    columns = [sql.column(f) for f in fields]
    params: list[list[Any]] = [[row.pk for row in rows]]
    params += [[getattr(row, sql.attname(f)) for row in rows] for f in fields]
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    arrays = ", ".join(["%b::bigint[]", *(f"%b::{sql.array_type(f)}" for f in fields)])
    aliases = ", ".join(["id", *columns])
    pk = sql.column(meta.pk)
    sql.execute_arrays(
        f"UPDATE {sql.table(obligation.model)} AS t SET {sets} "  # noqa: S608
        f"FROM unnest({arrays}) AS v({aliases}) WHERE t.{pk} = v.id",
        params,
    )
