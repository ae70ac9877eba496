"""List endpoints and pages run a fixed number of SQL queries, however many rows they show."""

from __future__ import annotations

import re

import pytest
from rest_framework.authtoken.models import Token

from accounts.models import Site
from tickets import services
from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_tickets(alice, bob, erin):
    """``many_tickets(n)``: n tickets of alice's, each with a message and a reply event;
    a mix of accepted ones (assignee), phone-logged ones (reported_by) and sub-categories."""
    site = Site.objects.create(code="sh-hq", name="Shanghai HQ")
    alice.site = site
    alice.save(update_fields=["site"])
    parent = make_category("hardware")
    categories = [
        make_category("hardware-printer", parent=parent),
        make_category("hardware-pc", parent=parent),
        make_category("network-wifi"),
    ]

    def make(n: int) -> None:
        for i in range(n):
            ticket = make_ticket(
                requester=alice,
                actor=bob if i % 3 == 0 else alice,
                channel="phone" if i % 3 == 0 else "web",
                category=categories[i % len(categories)],
                title=f"Fault number {i}",
            )
            services.add_message(ticket.pk, actor=alice, body=f"More details about {i}")
            if i % 2 == 0:
                services.accept_ticket(ticket.pk, actor=bob if i % 4 == 0 else erin)

    return make


QUEUE_FILTERED = "/tickets/queue/?priority=medium&category=hardware&sort=newest"
LISTS = {
    # name: (persona, URL, query budget, rows expected on the first page at 50 tickets)
    # API: token and user, the user's permissions (2), count, rows.
    "api-engineer": ("bob", "/api/v1/tickets/", 5, 50),
    "api-requester": ("alice", "/api/v1/tickets/", 5, 50),
    # + the category named in the filter
    "api-filtered": ("bob", "/api/v1/tickets/?open=true&category=hardware&sort=newest", 6, 1),
    # Pages: session, user, permissions (2), the sites the engineer is limited to (R7.2),
    # unread notifications, tab counts, the count of verified tickets ("to close"), rows, the
    # person's saved views, and the filter form's choices (categories, sites, assignees);
    # filtered, the count of each part (open ones, then verified ones: each through its own
    # index).
    "queue": ("bob", "/tickets/queue/", 13, 50),
    "queue-filtered": ("bob", QUEUE_FILTERED, 16, 1),
    # session, user, permissions (2), unread notifications, count, rows
    "mine": ("alice", "/tickets/mine/", 7, 25),
}


def _client(name, user, api, web):
    if not name.startswith("api"):
        return web(user)
    token = Token.objects.create(user=user)
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("name", LISTS)
def test_list_runs_the_same_queries_for_5_and_50_tickets(
    request, many_tickets, api, web, django_assert_max_num_queries, name
):
    # given
    persona, url, budget, rows_at_50 = LISTS[name]
    client = _client(name, request.getfixturevalue(persona), api, web)
    assert client.get(url).status_code == 200  # warm up: session, content types
    many_tickets(5)

    # when
    with django_assert_max_num_queries(budget) as with_5:
        small = client.get(url)
    many_tickets(45)
    with django_assert_max_num_queries(budget) as with_50:
        large = client.get(url)

    # then
    assert small.status_code == large.status_code == 200
    assert len(with_5) == len(with_50)
    assert _numbers_shown(large) >= rows_at_50


def _numbers_shown(response) -> int:
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["results"])
    return len(set(re.findall(r"IT-\d{8}-\d{4}", response.content.decode())))
