"""Two engineers accept the same ticket at the same moment: the row lock lets exactly one win.

These tests commit for real (``transaction=True``): each thread has its own
database connection, as two web processes would.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection

from tickets import actions, services
from tickets.choices import EventKind, TicketState
from tickets.errors import InvalidTransition
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 0.3


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """These tests really commit, so after-commit hooks run: keep their tasks off the real broker
    (a development worker on the same Redis would otherwise pick them up)."""
    monkeypatch.setattr("notifications.tasks.enqueue", lambda ids: None, raising=False)


@pytest.fixture
def slow_permission_check(monkeypatch):
    """Hold the row lock a little longer, so the second writer is sure to arrive while it is held.

    Without the lock, both writers would read ``submitted`` in this window and
    both would accept; with it, the second waits and then sees ``accepted``.
    """
    original = actions.check

    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(HOLD_SECONDS)
        original(*args, **kwargs)

    monkeypatch.setattr(actions, "check", slow)


def _race(*jobs: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run ``jobs`` in threads released together; return ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[tuple[str, Any]] = [("missing", None)] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", job())
        except Exception as exc:  # noqa: BLE001 - the outcome is what is tested
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return outcomes


def test_two_engineers_accepting_at_once_exactly_one_wins(alice, bob, erin, slow_permission_check):
    # given
    ticket = make_ticket(requester=alice)

    # when
    outcomes = _race(
        lambda: services.accept_ticket(ticket.pk, actor=bob),
        lambda: services.accept_ticket(ticket.pk, actor=erin),
    )

    # then
    winners = [result for status, result in outcomes if status == "ok"]
    losers = [error for status, error in outcomes if status == "error"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert isinstance(losers[0], InvalidTransition)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.state == TicketState.ACCEPTED
    assert fresh.assignee_id == winners[0].assignee_id
    accepted = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ACCEPTED)
    assert accepted.count() == 1
    assert accepted.get().actor_id == fresh.assignee_id


def test_two_engineers_accepting_at_once_through_api_get_200_and_409(
    alice, bob, erin, api, slow_permission_check
):
    # given
    ticket = make_ticket(requester=alice)
    url = f"/api/v1/tickets/{ticket.number}/accept/"
    clients = {"bob": api(bob), "erin": api(erin)}

    # when
    outcomes = _race(
        lambda: clients["bob"].post(url, {}, format="json"),
        lambda: clients["erin"].post(url, {}, format="json"),
    )

    # then
    assert all(status == "ok" for status, _response in outcomes), outcomes
    codes = sorted(response.status_code for _status, response in outcomes)
    assert codes == [200, 409]
    loser = next(response for _status, response in outcomes if response.status_code == 409)
    assert loser.json()["detail"]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ACCEPTED).count() == 1


def test_two_tickets_filed_at_once_get_different_consecutive_numbers(alice, carol):
    # given: today's counter exists, so both writers update the same row
    with time_machine.travel(dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC), tick=False):
        make_ticket(requester=alice)

        # when
        outcomes = _race(
            lambda: make_ticket(requester=alice).number,
            lambda: make_ticket(requester=carol).number,
        )

    # then
    assert all(status == "ok" for status, _number in outcomes), outcomes
    numbers = sorted(number for _status, number in outcomes)
    assert numbers[0] != numbers[1]
    assert numbers == ["IT-20261124-0002", "IT-20261124-0003"]
