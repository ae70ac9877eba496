"""The two clocks of a major incident, as pure rules on its columns (no queries).

* **Task force**: declaring starts a 10-minute round-the-clock deadline
  (``task_force_due_at``); it is met when a commander and at least one engineer are on the
  task force (``task_force_formed_at``). An incident restored or resolved before the
  deadline needs no task force any more.
* **Management reports**: while the incident is ``investigating`` or ``identified`` a
  report falls due at declared + 30 min, + 60 min, … (the *grid*, round the clock). When
  sweeps were down across several slots only the latest passed slot is reported, once,
  marked late; the next one stays on the grid.

``next_check`` is the earlier of what is still ahead: the column the sweep
(``incidents.obligations``) and the services keep in ``next_check_at``.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from incidents.choices import REPORTING_STATUSES

TASK_FORCE_WITHIN = dt.timedelta(minutes=10)
REPORT_EVERY = dt.timedelta(minutes=30)
# A report sent this long after its slot (a sweep outage shorter than a slot) says it is late.
LATE_AFTER = dt.timedelta(minutes=5)


class ClockColumns(Protocol):
    status: str
    declared_at: dt.datetime
    task_force_due_at: dt.datetime
    task_force_formed_at: dt.datetime | None
    last_report_slot: dt.datetime | None


def is_reporting(row: ClockColumns) -> bool:
    return row.status in REPORTING_STATUSES


def task_force_pending(row: ClockColumns) -> bool:
    """Still waiting for a task force: not formed, and service not restored yet."""
    return row.task_force_formed_at is None and is_reporting(row)


def slot_at_or_before(declared_at: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The latest report slot of the grid that is not after ``now`` (None before the first)."""
    passed = (now - declared_at) // REPORT_EVERY
    return declared_at + passed * REPORT_EVERY if passed >= 1 else None


def slot_after(declared_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The first report slot of the grid strictly after ``now``."""
    passed = max((now - declared_at) // REPORT_EVERY, 0)
    return declared_at + (passed + 1) * REPORT_EVERY


def previous_slot(row: ClockColumns) -> dt.datetime:
    """Where the last report left off: its slot, or the declaration."""
    return row.last_report_slot or row.declared_at


def report_due(row: ClockColumns, now: dt.datetime) -> dt.datetime | None:
    """The slot to report now, if one has passed since the last report (the latest only)."""
    if not is_reporting(row):
        return None
    slot = slot_at_or_before(row.declared_at, now)
    if slot is None or slot <= previous_slot(row):
        return None
    return slot


def missed_slots(previous: dt.datetime, slot: dt.datetime) -> int:
    """How many slots between the last report and this one went unreported."""
    return max(int((slot - previous) // REPORT_EVERY) - 1, 0)


def is_late(previous: dt.datetime, slot: dt.datetime, now: dt.datetime) -> bool:
    return missed_slots(previous, slot) > 0 or now - slot > LATE_AFTER


def next_check(row: ClockColumns, now: dt.datetime) -> dt.datetime | None:
    """The next moment the sweep must look, strictly after ``now``; None when nothing is ahead."""
    if not is_reporting(row):
        return None
    ahead = [slot_after(row.declared_at, max(now, previous_slot(row)))]
    if task_force_pending(row) and row.task_force_due_at > now:
        ahead.append(row.task_force_due_at)
    return min(ahead)
