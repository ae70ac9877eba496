"""``GET /api/v1/surveys/``: the answers for tech leads and managers (engineers and
requesters 403), newest first, paginated like the ticket list, filtered by answer day and
lowest rating, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Site, User
from tests.clock import sh

from .factories import GOOD, POOR, answer, verified_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

URL = "/api/v1/surveys/"


def rated(alice, bob, day: int, **fields):
    """A ticket verified and rated on 2026-11-<day> at 10:00 and 11:00."""
    ticket = verified_ticket(alice, bob, sh(2026, 11, day, 10, 0))
    answer(ticket, alice, sh(2026, 11, day, 11, 0), **fields)
    return ticket


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["ticket"]["number"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [("tom", 200), ("dave", 200), ("admin", 200), ("bob", 403), ("erin", 403), ("alice", 403)],
)
def test_who_may_list(request, api, who, status):
    user = request.getfixturevalue(who)
    assert api(user).get(URL).status_code == status
    assert api(None).get(URL).status_code in (401, 403)


def test_answers_newest_first_with_what_a_manager_needs(api, alice, bob, dave):
    # given: three rated tickets, one only invited
    old = rated(alice, bob, 23)
    low = rated(alice, bob, 24, **POOR)
    new = rated(alice, bob, 25)
    verified_ticket(alice, bob, sh(2026, 11, 26, 10, 0))

    # when
    response = api(dave).get(URL)

    # then: the answers, newest first; the invitation waits in ?answered=false
    assert numbers(response) == [new.number, low.number, old.number]
    body = response.json()
    assert body["count"] == 3 and body["count_capped"] is False
    row = body["results"][1]
    assert (row["speed"], row["quality"], row["attitude"]) == (2, 4, 3)
    assert row["comment"] == POOR["comment"]
    assert row["requester"] == {"username": "alice", "name": alice.name}
    assert row["ticket"]["assignee"]["username"] == "bob"
    assert row["answered_at"].startswith("2026-11-24T")
    assert len(numbers(api(dave).get(URL, {"answered": "false"}))) == 1


def test_filters_by_answer_day_both_ends_included_and_by_lowest_rating(api, alice, bob, tom):
    first = rated(alice, bob, 23)
    low = rated(alice, bob, 24, **POOR)
    rated(alice, bob, 25)

    assert numbers(api(tom).get(URL, {"from": "2026-11-23", "to": "2026-11-24"})) == [
        low.number,
        first.number,
    ]
    assert numbers(api(tom).get(URL, {"from": "2026-11-25", "to": "2026-11-25"}))[0] != low.number
    assert numbers(api(tom).get(URL, {"max_rating": "2"})) == [low.number]
    assert numbers(api(tom).get(URL, {"max_rating": "1"})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "2026-11-25", "to": "2026-11-24"}, "to"),
        ({"max_rating": "6"}, "max_rating"),
        ({"max_rating": "low"}, "max_rating"),
        ({"answered": "maybe"}, "answered"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, tom, query, field):
    response = api(tom).get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


def test_a_tech_lead_limited_to_some_sites_lists_only_theirs(api, alice, carol, bob, tom):
    shanghai = Site.objects.create(code="SH", name="上海")
    beijing = Site.objects.create(code="BJ", name="北京")
    alice.site, carol.site = shanghai, beijing
    alice.save()
    carol.save()
    tom.limited_to_sites.add(beijing)
    rated(alice, bob, 23)
    theirs = rated(carol, bob, 24)

    assert numbers(api(tom).get(URL)) == [theirs.number]


def _queries(api, user) -> int:
    """Queries of one list request by a freshly loaded ``user`` (nothing cached on it)."""
    client = api(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as seen:
        response = client.get(URL)
    assert response.status_code == 200
    return len(seen)


def test_the_list_runs_a_fixed_number_of_queries(api, alice, carol, bob, erin, dave):
    # given: one answer
    rated(alice, bob, 23)
    one = _queries(api, dave)

    # when: 40 answers from other requesters about other engineers, then 55 (two pages)
    def more(count: int) -> None:
        for index in range(count):
            requester, engineer = (alice, bob) if index % 2 else (carol, erin)
            moment = sh(2026, 11, 24, 9, 0) + dt.timedelta(minutes=index)
            ticket = verified_ticket(requester, engineer, moment)
            answer(ticket, requester, moment + dt.timedelta(minutes=30), **GOOD)

    more(39)
    forty = _queries(api, dave)
    more(15)
    full_page = _queries(api, dave)

    # then: the same queries for 1 and 40 rows; a full page adds only the (capped) count
    assert forty == one
    assert full_page == one + 1
    assert len(api(dave).get(URL).json()["results"]) == 50
    assert one <= 6, one
