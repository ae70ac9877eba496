"""The engineer's queue page: self-refresh keeps filters and page; finished tickets by tab."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from tickets.choices import TicketState
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db


def refresh_url(html: str) -> str:
    match = re.search(r'id="queue-refresh" hx-get="([^"]+)"', html)
    assert match, "the queue table has no self-refresh element"
    return match.group(1).replace("&amp;", "&")


def test_self_refresh_asks_for_the_same_filters_and_page(web, bob, alice):
    # given: enough tickets for a second page
    for _ in range(3):
        make_ticket(requester=alice, impact="single", urgency="abnormal")
    client = web(bob)

    # when: the engineer looks at page 2 of the medium-priority tickets
    with override_settings(TICKETS_QUEUE_PAGE_SIZE=2):
        page = client.get("/tickets/queue/", {"priority": "medium", "page": 2})
        refreshed = client.get(refresh_url(page.content.decode()), HTTP_HX_REQUEST="true")

    # then: the refresh asks for exactly that, and gets the table fragment back
    url = refresh_url(page.content.decode())
    assert "priority=medium" in url and "page=2" in url
    body = refreshed.content.decode()
    assert refreshed.status_code == 200
    assert "<html" not in body and 'id="queue"' in body
    assert refresh_url(body) == url


def test_filtering_through_htmx_moves_the_refresh_to_the_new_filter(web, bob, alice):
    make_ticket(requester=alice)
    response = web(bob).get("/tickets/queue/", {"state": "submitted"}, HTTP_HX_REQUEST="true")
    assert "state=submitted" in refresh_url(response.content.decode())


def test_verified_tickets_follow_the_open_ones_and_wait_under_to_close(web, bob, alice):
    # given: one open and one verified ticket
    open_ticket = make_ticket(requester=alice, title="Still broken")
    done = make_ticket_in(
        TicketState.VERIFIED, requester=alice, engineer=bob, title="Fixed and confirmed"
    )
    client = web(bob)

    # when
    default = client.get("/tickets/queue/").content.decode()
    to_close = client.get("/tickets/queue/", {"state": "verified"}).content.decode()

    # then: "all open" (全部未关闭) is everything not closed, the open tickets first
    assert open_ticket.number in default and done.number in default
    assert default.index(open_ticket.number) < default.index(done.number)
    assert done.number in to_close and open_ticket.number not in to_close
    assert "state=verified" in default  # the tab is offered
