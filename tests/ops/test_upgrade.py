"""Every release's desk upgrades to this code: no row lost, the SLA clocks as they were.

For each release in ``deploy/releases/`` (``tests/ops/releases.py``: the demo desk as that
release made it, dumped, with a manifest) the test restores the dump into a new database,
runs ``manage.py migrate`` in its own process as an operator would, and then checks

- every table of the release is still there with at least its rows (the tables that hold
  the desk's history with exactly its rows), every migration on disk applied;
- every open ticket's SLA deadlines, breaches and pause unchanged;
- the sweep on the upgraded rows under a controlled clock: nothing is recorded for a
  ticket before its deadline, the breach once just after it, nothing more when the sweep
  runs again, and, swept past every deadline, each running clock breached exactly once,
  each paused one not at all — every SLA event, timeline entry and notification once.

Nothing here reads git: a clone without tags has every release it needs in that folder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count

from notifications import tasks as notification_tasks
from notifications.models import Notification
from sla.calendars import clear_calendar_cache
from tests.ops import releases
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent
from tickets.obligations import sweep_sla

MANIFESTS = releases.manifests()
# The desk's history: an upgrade keeps exactly these rows (other tables may gain rows
# that a migration seeds, never lose one).
HISTORY = (
    "accounts_user",
    "assets_asset",
    "tickets_ticket",
    "tickets_ticketevent",
    "tickets_message",
    "tickets_attachment",
    "tickets_slaevent",
    "tickets_notification",
    "reports_ticketfact",
    "knowledge_article",
)
SECOND = dt.timedelta(seconds=1)


def _at(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _twice() -> dict[str, list[Any]]:
    """SLA events, breach timeline entries and SLA notifications recorded more than once."""
    return {
        "sla_events": list(
            SlaEvent.objects.values("ticket", "kind", "due_at")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        ),
        "timeline": list(
            TicketEvent.objects.filter(kind="sla_breached")
            .values("ticket", "data__clock", "data__due_at")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        ),
        "notifications": list(
            Notification.objects.filter(kind__in=SlaEventKind.values)
            .values("link", "kind", "recipient", "channel")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        ),
    }


def _clear_caches() -> None:
    ContentType.objects.clear_cache()
    clear_calendar_cache()
    cache.clear()


@contextmanager
def connected_to(url: str) -> Iterator[None]:
    """This process's default database is ``url``'s inside the block."""
    settings_dict = connection.settings_dict
    before = settings_dict["NAME"]
    connection.close()
    settings_dict["NAME"] = releases.database_name(url)
    _clear_caches()
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = before
        _clear_caches()


@pytest.fixture
def handed(monkeypatch) -> list[list[int]]:
    """Notification ids handed over for delivery after commit (no broker here)."""
    ids: list[list[int]] = []
    monkeypatch.setattr(notification_tasks, "enqueue", ids.append)
    return ids


@pytest.fixture(scope="module", params=MANIFESTS, ids=[path.stem for path in MANIFESTS])
def release(request) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(request.param.read_text())
    manifest["path"] = request.param.parent / manifest["dump"]["file"]
    return manifest


@pytest.fixture(scope="module")
def upgraded(release, django_db_blocker) -> Iterator[str]:
    """The release's desk restored into a new database and migrated to this code; its URL
    (once per release: the row test runs first, the sweeps after it)."""
    dump: Path = release["path"]
    assert releases.sha256(dump) == release["dump"]["sha256"], f"{dump.name} is damaged"
    base = releases.database_url(connection.settings_dict["NAME"])
    prefix = f"{connection.settings_dict['NAME']}_upgrade_{release['release']}".replace(".", "_")
    with releases.scratch_database(prefix, base) as url:
        releases.restore(dump, url)
        assert releases.count_rows(url) == release["tables"], "the dump is not its manifest"
        releases.manage(url, "migrate", "--noinput")
        with django_db_blocker.unblock():
            yield url


def test_the_releases_folder_has_the_first_release():
    assert [path.stem for path in MANIFESTS][:1] == ["v0.1.0"]
    for path in MANIFESTS:
        manifest = json.loads(path.read_text())
        assert manifest["format"] == releases.FORMAT
        assert manifest["release"] == path.stem
        dump = path.parent / manifest["dump"]["file"]
        assert dump.stat().st_size == manifest["dump"]["bytes"] < 2 * 1024 * 1024


def test_a_releases_desk_upgrades_without_losing_a_row(release, upgraded):
    # then: every table of the release is there, with at least its rows; the history exactly
    after = releases.count_rows(upgraded)
    lost = {
        table: (rows, after.get(table))
        for table, rows in release["tables"].items()
        if after.get(table) is None or after[table] < rows
    }
    assert lost == {}
    assert {table: after[table] for table in HISTORY} == {
        table: release["tables"][table] for table in HISTORY
    }
    # and: at the head of every app, nothing left to apply
    with connected_to(upgraded):
        executor = MigrationExecutor(connection)
        heads = executor.loader.graph.leaf_nodes()
        assert executor.migration_plan(heads) == []
        for app, name in release["migrations"].items():
            assert (app, name) in executor.loader.graph.nodes, f"{app}.{name} left the tree"


def test_a_releases_open_tickets_keep_their_clocks_and_breach_once(release, upgraded, handed):
    tickets = release["open_tickets"]
    with connected_to(upgraded):
        # then: every open ticket's SLA columns are what the release left
        for number, expected in tickets.items():
            found = Ticket.objects.get(number=number)
            assert {
                column: releases.plain(getattr(found, column)) for column in releases.SLA_COLUMNS
            } == expected, number

        # given: a ticket waiting to be accepted, its response clock running
        waiting = [
            number
            for number, t in tickets.items()
            if t["state"] == "submitted"
            and t["sla_paused_at"] is None
            and t["response_breached_at"] is None
            and t["response_due_at"]
        ]
        assert waiting, "the release's desk has no ticket waiting for a response"
        ticket = Ticket.objects.get(number=waiting[0])
        due = ticket.response_due_at
        assert due is not None

        def breaches(kind: str = SlaEventKind.RESPONSE_BREACH) -> list[dt.datetime]:
            return list(
                SlaEvent.objects.filter(ticket=ticket, kind=kind).values_list("due_at", flat=True)
            )

        # when: the sweep runs a second before the response deadline
        sweep_sla(now=due - SECOND)
        # then: no breach yet
        assert breaches() == []

        # when: a second after it, and again
        sweep_sla(now=due + SECOND)
        sweep_sla(now=due + SECOND)

        # then: the breach once, at the deadline, on the timeline once, told once
        assert breaches() == [due]
        ticket.refresh_from_db()
        assert ticket.response_breached_at == due
        assert (
            TicketEvent.objects.filter(
                ticket=ticket, kind="sla_breached", data__clock=SlaEventKind.RESPONSE_BREACH
            ).count()
            == 1
        )

        # when: the sweep runs past every deadline of the desk, twice
        latest = max(
            dt.datetime.fromisoformat(t[column])
            for t in tickets.values()
            for column in ("response_due_at", "resolution_due_at")
            if t[column]
        )
        first = sweep_sla(now=latest + dt.timedelta(days=1))
        again = sweep_sla(now=latest + dt.timedelta(days=1))

        # then: every running resolution clock breached once, at its deadline; no paused
        # one; nothing twice
        assert first > 0
        assert again == 0
        for number, t in tickets.items():
            found = Ticket.objects.get(number=number)
            kept = SlaEvent.objects.filter(ticket=found, kind=SlaEventKind.RESOLUTION_BREACH)
            if t["sla_paused_at"] is None and t["sla_next_check_at"] is not None:
                assert found.resolution_breached_at == _at(t["resolution_due_at"]), number
                assert list(kept.values_list("due_at", flat=True)) == [found.resolution_breached_at]
            else:
                assert found.resolution_breached_at is None, number
                assert not kept.exists(), number
        assert breaches() == [due]
        assert _twice() == {"sla_events": [], "timeline": [], "notifications": []}
        assert handed, "the breaches' e-mails were not handed over"
