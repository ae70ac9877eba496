"""Tickets filed at the same moment under ``least_loaded``: the advisory lock around the pick
and the assignment keeps two filings from both seeing the same engineer as the lightest.

Filing itself is serialised today by the day's ticket counter (its upsert holds the row
until commit), so the second test races the assigner alone, without the counter (the choice,
then the write of the assignee its caller makes in the same transaction): that is the test
that fails if the lock goes.

These tests commit for real (``transaction=True``): each thread has its own database
connection, as concurrent web processes would.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from people import assignment
from people.choices import AssignMode, SkillLevel
from people.tests.factories import give_skills
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

FILINGS = 20


@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED)
def test_twenty_tickets_filed_at_once_end_balanced_within_one(
    working_hours, printers, alice, ann, ben
):
    # given: two equal printer engineers
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))

    # when: twenty filings released together, each in its own transaction
    _together([lambda: make_ticket(requester=alice, category=printers)] * FILINGS)

    # then
    counts = Counter(Ticket.objects.values_list("assignee__username", flat=True))
    assert sum(counts.values()) == FILINGS
    assert set(counts) == {"ann", "ben"}
    assert abs(counts["ann"] - counts["ben"]) <= 1, counts


def test_the_assigner_alone_run_at_once_still_balances(working_hours, printers, alice, ann, ben):
    # given: twenty tickets filed while automatic assignment was off
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    ids = [make_ticket(requester=alice, category=printers).pk for _ in range(FILINGS)]

    def assign(ticket_id: int) -> None:
        with transaction.atomic():
            ticket = Ticket.objects.select_related("category").get(pk=ticket_id)
            outcome = assignment.assign_new_ticket(ticket, timezone.now())
            assert outcome is not None and outcome.assignee is not None
            Ticket.objects.filter(pk=ticket_id).update(assignee=outcome.assignee)

    # when: the assigner runs on all of them at once, each in its own transaction
    with override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED):
        _together([lambda ticket_id=ticket_id: assign(ticket_id) for ticket_id in ids])

    # then
    counts = Counter(Ticket.objects.values_list("assignee__username", flat=True))
    assert sum(counts.values()) == FILINGS
    assert abs(counts["ann"] - counts["ben"]) <= 1, counts


def _together(jobs: list[Callable[[], object]]) -> None:
    """Run ``jobs`` in threads released at once (each with its own connection)."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=20)
            job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a job hung"
    assert errors == []
