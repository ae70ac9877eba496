"""No user directory for requesters: the API never lists people the caller may not see.

Filters that name people accept only people the caller may name (staff: the engineers; a
requester: only herself), and any other name, unknown or hidden, filters to nothing instead
of a "not a valid choice" error, so the answer cannot tell which usernames exist. The
browsable API, which renders those filters as a ``<select>``, is offered only in DEBUG.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tickets import services
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _options(html: str) -> set[str]:
    """Usernames offered by the assignee filter's ``<select>``."""
    start = html.find('name="assignee"')
    if start == -1:
        return set()
    select = html[start : html.find("</select>", start)]
    return {
        part.split('"', 1)[0] for part in select.split('<option value="')[1:] if part[:1] != '"'
    }


def test_with_debug_off_a_browser_gets_json_not_the_browsable_api(alice, admin, settings):
    # given
    settings.DEBUG = False
    make_ticket(requester=alice)

    # when
    response = _client(alice).get("/api/v1/tickets/", HTTP_ACCEPT=BROWSER_ACCEPT)

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert b"admin" not in response.content


def test_with_debug_off_format_api_is_not_offered(alice, settings):
    # given
    settings.DEBUG = False

    # when
    response = _client(alice).get("/api/v1/tickets/?format=api")

    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_in_debug_a_requester_sees_only_herself_in_the_assignee_filter(
    alice, carol, bob, erin, admin, settings
):
    # given
    settings.DEBUG = True
    make_ticket(requester=alice)

    # when
    response = _client(alice).get("/api/v1/tickets/", HTTP_ACCEPT=BROWSER_ACCEPT)

    # then
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert _options(html) == {"alice"}
    for name in ("admin", "bob", "carol", "erin"):
        assert f'value="{name}"' not in html


def test_in_debug_staff_see_the_engineers_not_every_user_in_the_assignee_filter(
    alice, carol, bob, erin, tom, admin, settings
):
    # given
    settings.DEBUG = True

    # when
    response = _client(tom).get("/api/v1/tickets/", HTTP_ACCEPT=BROWSER_ACCEPT)

    # then
    offered = _options(response.content.decode())
    assert {"bob", "erin"} <= offered
    assert not offered & {"alice", "carol"}


def test_a_requester_naming_someone_else_gets_the_answer_of_an_unknown_name(alice, bob):
    # given: bob works on alice's ticket, so he is assigned to it
    ticket = make_ticket(requester=alice)
    services.accept_ticket(ticket.pk, actor=bob)
    client = _client(alice)

    # when
    someone = client.get("/api/v1/tickets/?assignee=bob")
    admin = client.get("/api/v1/tickets/?assignee=admin")
    nobody = client.get("/api/v1/tickets/?assignee=no-such-person")

    # then
    assert someone.status_code == admin.status_code == nobody.status_code == 200
    assert someone.json() == admin.json() == nobody.json()
    assert nobody.json()["count"] == 0


def test_a_requester_may_name_herself(alice):
    # given
    make_ticket(requester=alice)

    # when
    response = _client(alice).get("/api/v1/tickets/?assignee=alice")

    # then
    assert response.status_code == 200
    assert response.json()["count"] == 0  # she is assigned nothing


def test_staff_filter_by_an_engineer_and_get_nothing_for_an_unknown_name(alice, bob, tom):
    # given
    ticket = make_ticket(requester=alice)
    services.accept_ticket(ticket.pk, actor=bob)
    client = _client(tom)

    # when
    engineer = client.get("/api/v1/tickets/?assignee=bob")
    unknown = client.get("/api/v1/tickets/?assignee=no-such-person")
    requester = client.get("/api/v1/tickets/?assignee=alice")

    # then
    assert [t["number"] for t in engineer.json()["results"]] == [ticket.number]
    assert unknown.status_code == requester.status_code == 200
    assert unknown.json()["count"] == requester.json()["count"] == 0
