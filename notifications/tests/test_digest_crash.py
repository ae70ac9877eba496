"""Digests keep the outbox's transaction discipline: a sweep or a closer that dies between
writing and committing leaves nothing behind, and the next run tells each digest once.

Killed for real: a separate process runs the sweep (or the closer), holds its transaction
open after writing, and is killed with SIGKILL; PostgreSQL rolls it back.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction

from notifications import digests, folding, outbox, tasks
from notifications.choices import NotificationChannel
from notifications.models import Digest, DigestItem, Notification
from notifications.tests.digest_scene import breaching, digest_rows, direct
from tests.clock import sh
from tickets.choices import TicketNotice
from tickets.obligations import sweep_sla

KIND = TicketNotice.RESPONSE_BREACH
DUE = sh(2026, 11, 23, 10, 3)
SWEPT = DUE + dt.timedelta(minutes=1)
CLOSED = folding.window_start(SWEPT) + folding.window()
ROOT = Path(__file__).resolve().parents[2]

# Runs in the child: wrap ``target`` so that it writes, says so, then holds its transaction.
CHILD = """
import os, sys, time, datetime as dt
import django
django.setup()
from notifications import digests, outbox
now = dt.datetime.fromisoformat(sys.argv[2])
if sys.argv[1] == "sweep":
    real = outbox.save_and_dispatch
    def holding(rows):
        real(rows)
        print("written", flush=True)
        time.sleep(120)
    outbox.save_and_dispatch = holding
    from tickets.obligations import sweep_sla
    sweep_sla(now=now)
else:
    real = digests._tell
    def holding(closings, when):
        told = real(closings, when)
        print("written", flush=True)
        time.sleep(120)
        return told
    digests._tell = holding
    digests.close_due(now)
"""


@pytest.fixture(autouse=True)
def handed(monkeypatch) -> list[int]:
    """The ids handed to workers after commit (no broker in these tests)."""
    ids: list[int] = []
    monkeypatch.setattr(tasks, "enqueue", ids.extend)
    return ids


def killed_while_holding(what: str, now: dt.datetime) -> None:
    """Run ``what`` (sweep or close) in a child process on the test database; once it wrote
    its rows (uncommitted), kill it and wait for PostgreSQL to roll its transaction back."""
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "NOTIFY_DIGEST_THRESHOLD": str(django_settings.NOTIFY_DIGEST_THRESHOLD),
    }
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", CHILD, what, now.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written"
        # what it wrote is not committed: nobody else sees it
        assert not Notification.objects.filter(payload__has_key="digest").exists()
    finally:
        child.kill()
        child.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the killed process's transaction is still open")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_calendar")
def test_a_sweep_killed_before_committing_leaves_no_item_and_no_count(alice, bob, erin, tom):
    # given: twelve tickets breach at once
    tickets = breaching(alice, 12, DUE)

    # when: the sweep is killed after writing its notifications and digest items
    killed_while_holding("sweep", SWEPT)

    # then: nothing of it stayed
    assert (Notification.objects.count(), Digest.objects.count(), DigestItem.objects.count()) == (
        0,
        0,
        0,
    )

    # when: the next sweep and the closer run
    assert sweep_sla(now=SWEPT) == 12
    digests.close_due(CLOSED)

    # then: five one by one and one digest of seven, per channel, nothing twice
    numbers = {t.number for t in tickets}
    for channel in (NotificationChannel.IN_APP, NotificationChannel.EMAIL):
        one_by_one = direct(bob, KIND, channel)
        assert len(set(one_by_one)) == len(one_by_one) == 5
        assert set(one_by_one) <= numbers
        [row] = digest_rows(bob, KIND, channel)
        assert row.payload["count"] == 7
        [lead] = digest_rows(tom, KIND, channel)
        assert lead.payload["count"] == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded_calendar")
def test_a_closer_killed_between_writing_digests_and_committing_sends_nothing_twice(
    alice, bob, erin, tom, handed
):
    # given: the storm is recorded, its window closed
    breaching(alice, 9, DUE)
    sweep_sla(now=SWEPT)
    handed.clear()

    # when: a closer dies after writing the digests' rows, before its commit
    killed_while_holding("close", CLOSED)

    # then: the digests are still open, nothing was told
    assert Digest.objects.filter(closed_at__isnull=True, recipient=bob).count() == 1
    assert not Notification.objects.filter(payload__has_key="digest").exists()

    # when: the next closer runs, twice
    told = digests.close_due(CLOSED + dt.timedelta(minutes=1))
    again = digests.close_due(CLOSED + dt.timedelta(minutes=2))

    # then: each digest once per person and channel
    assert (told, again) == (3, 0)
    for person, count in ((bob, 4), (erin, 4), (tom, 9)):
        for channel in (NotificationChannel.IN_APP, NotificationChannel.EMAIL):
            [row] = digest_rows(person, KIND, channel)
            assert row.payload["count"] == count
    emails = Notification.objects.filter(payload__has_key="digest", channel="email")
    assert sorted(handed) == sorted(emails.values_list("pk", flat=True))


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_calendar")
def test_a_closer_rolled_back_mid_way_tells_every_digest_once_on_the_next_run(
    alice, bob, erin, tom, monkeypatch
):
    breaching(alice, 9, DUE)
    sweep_sla(now=SWEPT)
    real = outbox.insert

    def failing(rows, **kwargs):
        real(rows, **kwargs)
        raise RuntimeError("the worker died")

    monkeypatch.setattr(outbox, "insert", failing)
    with pytest.raises(RuntimeError):
        digests.close_due(CLOSED)
    monkeypatch.setattr(outbox, "insert", real)

    assert not Notification.objects.filter(payload__has_key="digest").exists()
    assert digests.close_due(CLOSED) == 3
    assert Notification.objects.filter(payload__has_key="digest").count() == 3 * 2


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_never_wait_for_each_other(bob, settings):
    """Two transactions tell bob of four news each at the same moment (threshold 2): each
    keeps its own counter, so both finish their writes while the other is still open (no
    lock between them); each sends at most the threshold; every news reaches bob once."""
    settings.NOTIFY_DIGEST_THRESHOLD = 2
    now = sh(2026, 11, 23, 10, 1)
    written = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(tag: str) -> None:
        try:
            with transaction.atomic():
                outbox.save_and_dispatch(
                    [
                        row
                        for i in range(4)
                        for row in outbox.build(
                            recipients=[bob],
                            kind=TicketNotice.ASSIGNED,
                            cause=f"event:{tag}-{i}",
                            now=now,
                            link=f"/tickets/IT-{tag}-{i}/",
                            payload={"number": f"IT-{tag}-{i}"},
                        )
                    ]
                )
                written.wait(timeout=10)  # both wrote, neither committed: nobody waited
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(tag,)) for tag in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    one_by_one = direct(bob, TicketNotice.ASSIGNED)
    folded = list(DigestItem.objects.filter(digest__recipient=bob).values_list("number", flat=True))
    assert len(one_by_one) == 2 * 2
    assert sorted(one_by_one + folded) == sorted(f"IT-{t}-{i}" for t in "AB" for i in range(4))
    # the window's two rows are told as one digest
    digests.close_due(folding.window_start(now) + folding.window())
    [row] = digest_rows(bob, TicketNotice.ASSIGNED)
    assert row.payload["count"] == 4


@pytest.mark.django_db(transaction=True)
def test_a_later_writer_counts_what_the_earlier_ones_committed(bob, settings):
    settings.NOTIFY_DIGEST_THRESHOLD = 5
    now = sh(2026, 11, 23, 10, 1)
    for tag in ("A", "B"):  # two transactions, one after the other
        with transaction.atomic():
            for i in range(4):
                outbox.save_and_dispatch(
                    outbox.build(
                        recipients=[bob],
                        kind=TicketNotice.ASSIGNED,
                        cause=f"event:{tag}-{i}",
                        now=now,
                        link=f"/tickets/IT-{tag}-{i}/",
                        payload={"number": f"IT-{tag}-{i}"},
                    )
                )

    assert len(direct(bob, TicketNotice.ASSIGNED)) == 5
    assert DigestItem.objects.filter(digest__recipient=bob).count() == 3
