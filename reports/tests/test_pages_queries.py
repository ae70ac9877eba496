"""Every report page and the dashboard ask the database a fixed number of questions, however
many tickets, groups, engineers or breaches there are."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import make_user
from incidents.tests.factories import declare_at
from tests.clock import sh
from tickets import services
from tickets.choices import Channel, Impact, Urgency
from tickets.models import Category
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

READ_AT = sh(2026, 11, 20, 10, 0)
URLS = [
    "/reports/",
    "/reports/sla/?from=2026-11-01&to=2026-11-30",
    "/reports/sla/?from=2026-11-01&to=2026-11-30&group_by=engineer",
    "/reports/times/?from=2026-11-01&to=2026-11-30&group_by=category",
    "/reports/volume/?from=2026-11-01&to=2026-11-30&group_by=site",
    "/reports/backlog/?from=2026-11-01&to=2026-11-30",
    "/reports/satisfaction/?from=2026-11-01&to=2026-11-30&group_by=day",
    "/reports/engineers/?from=2026-11-01&to=2026-11-30",
]
CATEGORIES = ["hardware-pc", "network-wifi", "software-office", "permission-account"]
SHAPES = [
    {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED},
    {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED},
    {"impact": Impact.SINGLE, "urgency": Urgency.EXPERIENCE},
]


def file_tickets(count: int, requester: User, engineers: list[User]) -> None:
    """``count`` tickets over November in every category, priority and channel; most are
    accepted (late ones breach), each by another engineer."""
    for n in range(count):
        moment = sh(2026, 11, 2 + n % 15, 9 + n % 8, 0)
        with time_machine.travel(moment, tick=False):
            ticket = make_ticket(
                requester=requester,
                category=Category.objects.get(slug=CATEGORIES[n % len(CATEGORIES)]),
                channel=list(Channel)[n % 3],
                **SHAPES[n % len(SHAPES)],
            )
        if n % 4:
            with time_machine.travel(moment + dt.timedelta(minutes=10 + 20 * (n % 3)), tick=False):
                services.accept_ticket(ticket.pk, actor=engineers[n % len(engineers)])


def queries(client: Client, url: str) -> int:
    with time_machine.travel(READ_AT, tick=False), CaptureQueriesContext(connection) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


@pytest.mark.parametrize("url", URLS)
def test_a_page_asks_as_much_for_one_ticket_as_for_many(web, alice, bob, tom, dave, url):
    # given: one ticket
    file_tickets(1, alice, [bob])
    client = web(dave)
    one = queries(client, url)

    # when: thirty more, five more engineers, two open major incidents
    others = [make_user(f"engineer{i}", Role.ENGINEER) for i in range(5)]
    file_tickets(30, alice, [bob, tom, *others])
    for title in ("ERP down", "Mail down"):
        declare_at(sh(2026, 11, 19, 9, 0), by=tom, title=title)
    many = queries(client, url)

    # then
    assert many == one, f"{url}: {one} queries for one ticket, {many} for many"
