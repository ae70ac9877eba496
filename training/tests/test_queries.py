"""Every list of the training area asks the database a fixed number of questions, however
many sessions, attendees, drills or assessments it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import make_user
from tickets.tests.factories import make_category
from training.services import drills as drill_services
from training.services.assessments import record_assessment
from training.tests.factories import make_drill, make_session, resolved_ticket

pytestmark = pytest.mark.django_db

# (path, reader, queries): the reader is "tom" (the team's view) or "bob" (his own).
LISTS = [
    ("/training/", "tom", 8),
    ("/training/", "bob", 8),
    ("/training/drills/", "tom", 8),
    ("/training/drills/?tab=mine_open", "bob", 8),
    ("/training/assessments/", "tom", 8),
    ("/training/assessments/", "bob", 7),
    ("/api/v1/trainings/", "tom", 5),
    ("/api/v1/trainings/", "bob", 5),
    ("/api/v1/drills/", "tom", 3),
    ("/api/v1/drills/", "bob", 3),
    ("/api/v1/assessments/", "tom", 2),
    ("/api/v1/assessments/", "bob", 2),
]


def build(count: int, people: dict, requester) -> None:
    """``count`` sessions (each with every engineer, past and upcoming), drills for bob and
    erin (answered and scored) and assessments."""
    tom, bob, erin = people["tom"], people["bob"], people["erin"]
    make_category("hardware-printer")
    now = timezone.now()
    for n in range(count):
        when = now + dt.timedelta(days=(n % 3) * 40 - 40)
        session = make_session(
            tom,
            [bob, erin],
            starts_at=when,
            title=f"Session {n}",
            skills=[{"category": "hardware-printer", "level": 2}],
        )
        record_assessment(actor=tom, engineer=bob, score=60 + n, session=session.pk)
        ticket = resolved_ticket(requester, erin, title=f"Fault {n}")
        # bob's drill (by tom), answered every other time; tom's own (by lena), answered
        for lead, engineer, answer in ((tom, bob, n % 2 == 1), (people["lena"], tom, True)):
            drill = make_drill(lead, engineer, ticket)
            if answer:
                drill_services.start_drill(drill.pk, actor=engineer)
                drill_services.answer_drill(drill.pk, actor=engineer, diagnosis="d", plan="p")


def counted(client, path: str) -> int:
    with CaptureQueriesContext(connection) as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(seen)


@pytest.mark.parametrize(("path", "reader", "expected"), LISTS)
def test_a_list_asks_as_much_for_one_row_as_for_many(
    web, api, alice, bob, erin, tom, path, reader, expected
):
    # given
    people = {"tom": tom, "bob": bob, "erin": erin, "lena": make_user("lena", Role.TECH_LEAD)}
    user = people[reader]
    client = api(user) if path.startswith("/api/") else web(user)
    build(1, people, alice)
    client.get(path)  # the staff banner's incident lookup is cached after the first page
    one = counted(client, path)

    # when
    build(6, people, alice)
    many = counted(client, path)

    # then
    assert (one, many) == (expected, expected)
