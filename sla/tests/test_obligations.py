"""The timed-obligation mechanism on a toy cadence: "check every N minutes".

``Cadence`` rows carry ``next_check_at``; each time one comes due the sweep
records a ``CadenceEvent`` (unique on cadence, kind and due time), moves the
next check on by ``every_minutes`` and announces what it recorded. The models
live in a registry of their own (not Django's), so nothing outside this module
sees them; their tables exist only while a test runs.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.apps.registry import Apps
from django.core.management import CommandError, call_command
from django.db import connection, connections, models
from django.test.utils import CaptureQueriesContext

from sla import obligations, tasks
from sla.obligations import Due, Obligation, SweepResult, sweep
from tests.clock import sh

NOW = sh(2026, 11, 23, 10, 0)
TICK = "tick"

_toy_apps = Apps()


class Cadence(models.Model):
    id = models.BigAutoField(primary_key=True)
    every_minutes = models.PositiveIntegerField()
    next_check_at = models.DateTimeField(null=True)

    class Meta:
        apps = _toy_apps
        app_label = "sla"
        db_table = "sla_test_cadence"
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="sla_test_cadence_due",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"every {self.every_minutes} min, next {self.next_check_at}"


class CadenceEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        apps = _toy_apps
        app_label = "sla"
        db_table = "sla_test_cadenceevent"
        constraints = [
            models.UniqueConstraint(
                fields=["cadence", "kind", "due_at"], name="sla_test_cadenceevent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadence_id}:{self.kind}@{self.due_at}"


class EveryNMinutes(Obligation[Cadence]):
    """Due when ``next_check_at`` has passed; then due again ``every_minutes`` later."""

    name = "test.cadence"
    model = Cadence
    next_check_field = "next_check_at"
    event_model = CadenceEvent
    event_object_field = "cadence"
    fields = ("every_minutes",)
    progress_fields = ("next_check_at",)
    batch_size = 10

    def __init__(self) -> None:
        self.announced: list[Due] = []

    def due(self, row: Cadence, now: dt.datetime) -> list[Due]:
        assert row.next_check_at is not None
        return [Due(row.pk, TICK, row.next_check_at)] if row.next_check_at <= now else []

    def advance(self, row: Cadence, due: list[Due], now: dt.datetime) -> None:
        assert row.next_check_at is not None
        step = dt.timedelta(minutes=row.every_minutes)
        upcoming = row.next_check_at + step
        while upcoming <= now:
            upcoming += step
        row.next_check_at = upcoming

    def announce(self, rows: list[Cadence], recorded: list[Due], now: dt.datetime) -> None:
        self.announced += recorded


class MeetInsideFirstBatch(EveryNMinutes):
    """Each sweep's first announcement waits for the other's, its batch's rows still locked:
    the two sweeps are certainly at work at the same time."""

    def __init__(self, sweeps: int) -> None:
        super().__init__()
        self.meeting = threading.Barrier(sweeps, timeout=10)
        self.local = threading.local()

    def announce(self, rows: list[Cadence], recorded: list[Due], now: dt.datetime) -> None:
        super().announce(rows, recorded, now)
        if not getattr(self.local, "met", False):
            self.local.met = True
            self.meeting.wait()


@pytest.fixture
def toy_tables() -> Iterator[None]:
    with connection.schema_editor() as editor:
        editor.create_model(Cadence)
        editor.create_model(CadenceEvent)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks on a dropped table
    with connection.schema_editor() as editor:
        editor.delete_model(CadenceEvent)
        editor.delete_model(Cadence)


@pytest.fixture
def toy(monkeypatch) -> EveryNMinutes:
    """The toy obligation, registered for this test only."""
    declaration = EveryNMinutes()
    monkeypatch.setitem(obligations._registry, declaration.name, declaration)
    return declaration


def cadences(count: int, *, next_check_at: dt.datetime | None, every: int = 30) -> list[Cadence]:
    return Cadence.objects.bulk_create(
        Cadence(every_minutes=every, next_check_at=next_check_at) for _ in range(count)
    )


def next_checks() -> dict[int, dt.datetime | None]:
    return dict(Cadence.objects.values_list("pk", "next_check_at"))


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_and_announce_each_due_row_exactly_once(toy_tables):
    # given: 200 cadences due at 09:45, every 30 minutes; two sweeps of 20-row batches
    rows = cadences(200, next_check_at=NOW - dt.timedelta(minutes=15))
    declaration = MeetInsideFirstBatch(sweeps=2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(sweep(declaration, now=NOW, batch_size=20))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    # when: both run at once, each on its own database connection
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then: they shared the work, and between them recorded every due row once
    assert not errors, errors
    assert all(result.total > 0 for result in results), results
    assert sum(result.total for result in results) == 200
    assert CadenceEvent.objects.count() == 200
    assert set(CadenceEvent.objects.values_list("cadence_id", "kind", "due_at")) == {
        (row.pk, TICK, NOW - dt.timedelta(minutes=15)) for row in rows
    }
    announced = Counter((due.object_id, due.due_at) for due in declaration.announced)
    assert len(announced) == 200
    assert set(announced.values()) == {1}
    assert set(next_checks().values()) == {NOW + dt.timedelta(minutes=15)}


@pytest.mark.django_db
def test_sweep_with_nothing_due_records_announces_and_writes_nothing(toy_tables, toy):
    # given: checks ahead of now, and cadences with nothing to watch
    cadences(5, next_check_at=NOW + dt.timedelta(seconds=1))
    cadences(2, next_check_at=None)
    before = next_checks()

    # when
    with CaptureQueriesContext(connection) as queries:
        result = sweep(toy, now=NOW)

    # then
    assert (result.claimed, result.total, result.batches, result.more) == (0, 0, 1, False)
    assert toy.announced == []
    assert not CadenceEvent.objects.exists()
    assert next_checks() == before
    statements = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements), statements


@pytest.mark.django_db
def test_due_time_already_recorded_is_neither_recorded_nor_announced_again(toy_tables, toy):
    # given: a cadence swept at 10:00, then set back to the same due time (a recalculation)
    (row,) = cadences(1, next_check_at=NOW)
    assert sweep(toy, now=NOW).total == 1
    Cadence.objects.filter(pk=row.pk).update(next_check_at=NOW)

    # when
    result = sweep(toy, now=NOW + dt.timedelta(minutes=1))

    # then: the row was looked at and moved on, but nothing new was recorded or told
    assert (result.claimed, result.total) == (1, 0)
    assert CadenceEvent.objects.count() == 1
    assert len(toy.announced) == 1
    assert next_checks() == {row.pk: NOW + dt.timedelta(minutes=30)}


def run_like_a_worker(monkeypatch, name: str) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Call ``sweep_obligation`` as beat would start it, then every task it re-enqueued, in turn.

    Returns what each run recorded, and the arguments of every re-enqueue.
    """
    queue: list[tuple[Any, ...]] = [(name,)]
    enqueued: list[tuple[Any, ...]] = []

    def delay(*args: Any) -> None:
        enqueued.append(args)
        queue.append(args)

    monkeypatch.setattr(tasks.sweep_obligation, "delay", delay)
    recorded = []
    with time_machine.travel(NOW, tick=False):
        while queue:
            recorded.append(tasks.sweep_obligation(*queue.pop(0)))
    return recorded, enqueued


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due", "runs", "next_batches"),
    [
        (25, [10, 10, 5], [2, 3]),  # two full batches re-enqueue; the short third stops
        (10, [10, 0], [2]),  # a full batch cannot know it was the last one
        (3, [3], []),
    ],
)
def test_task_re_enqueues_itself_while_batches_come_back_full(
    toy_tables, toy, monkeypatch, due, runs, next_batches
):
    # given: more (or fewer) due rows than the batch size of 10
    cadences(due, next_check_at=NOW - dt.timedelta(minutes=1))

    # when
    recorded, enqueued = run_like_a_worker(monkeypatch, toy.name)

    # then
    assert recorded == runs
    assert enqueued == [(toy.name, batch) for batch in next_batches]
    assert CadenceEvent.objects.count() == due
    assert not Cadence.objects.filter(next_check_at__lte=NOW).exists()


@pytest.mark.django_db
def test_task_stops_re_enqueuing_at_the_batch_cap(toy_tables, toy, monkeypatch, settings):
    # given: 25 due rows, batches of 10, at most 2 batches per tick
    settings.SLA_SWEEP_MAX_BATCHES = 2
    cadences(25, next_check_at=NOW - dt.timedelta(minutes=1))

    # when
    recorded, enqueued = run_like_a_worker(monkeypatch, toy.name)

    # then: the rest waits for the next tick
    assert recorded == [10, 10]
    assert enqueued == [(toy.name, 2)]
    assert Cadence.objects.filter(next_check_at__lte=NOW).count() == 5


@pytest.mark.django_db
def test_sweep_reports_more_when_it_stops_at_max_batches(toy_tables, toy):
    # given
    cadences(25, next_check_at=NOW - dt.timedelta(minutes=1))

    # when
    first = sweep(toy, now=NOW, max_batches=2)
    rest = sweep(toy, now=NOW, max_batches=2)

    # then
    assert (first.batches, first.total, first.more) == (2, 20, True)
    assert (rest.batches, rest.total, rest.more) == (1, 5, False)
    assert first.recorded == {TICK: 20}


@pytest.mark.django_db
def test_run_sweeps_runs_every_registered_obligation_and_prints_what_each_recorded(toy_tables, toy):
    # given: 3 toy cadences due, and whatever else the apps registered (nothing due there)
    cadences(3, next_check_at=NOW - dt.timedelta(minutes=1))
    cadences(2, next_check_at=NOW + dt.timedelta(minutes=1))
    out = StringIO()

    # when
    with time_machine.travel(NOW, tick=False):
        call_command("run_sweeps", stdout=out)

    # then: one line per obligation, in name order
    lines = out.getvalue().splitlines()
    names = sorted(obligations.registered())
    assert len(names) > 1  # the tickets' clocks, and the toy
    assert [line.split(":", 1)[0] for line in lines] == names
    assert f"{toy.name}: 3 due, 3 recorded ({TICK} 3)" in lines
    assert CadenceEvent.objects.count() == 3


@pytest.mark.django_db
def test_run_sweeps_runs_only_the_named_obligations_and_rejects_unknown_names(toy_tables, toy):
    # given
    cadences(1, next_check_at=NOW)
    out = StringIO()

    # when
    with time_machine.travel(NOW, tick=False):
        call_command("run_sweeps", toy.name, stdout=out)

    # then
    assert out.getvalue().splitlines() == [f"{toy.name}: 1 due, 1 recorded ({TICK} 1)"]
    with pytest.raises(CommandError, match="unknown: nope"):
        call_command("run_sweeps", "nope", stdout=StringIO())


class ForgetsToMoveOn(EveryNMinutes):
    """A faulty declaration: it records, then leaves the row due again at once."""

    def advance(self, row: Cadence, due: list[Due], now: dt.datetime) -> None:
        row.next_check_at = now


@pytest.mark.django_db
def test_a_row_left_due_is_pushed_a_minute_on_so_the_sweep_ends(toy_tables):
    # given: more rows than a batch, and a declaration that never moves them on
    rows = cadences(25, next_check_at=NOW - dt.timedelta(minutes=1))

    # when: without the guard this would claim the same rows forever
    result = sweep(ForgetsToMoveOn(), now=NOW)

    # then: each row recorded once, and watched again a minute later
    assert result.total == 25
    assert CadenceEvent.objects.count() == 25
    assert set(next_checks().values()) == {NOW + obligations.STUCK_RETRY}
    assert len(rows) == 25
