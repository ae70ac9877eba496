"""Notifications clear one by one: reading a ticket reads what its viewer was told about it,
and the inbox pages past 50, newest first, in a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from tickets.choices import Impact, TicketNotice, Urgency
from tickets.notify import ticket_link
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}

# The ticket page as bob (an engineer) sees a submitted ticket, as before this change:
# session, user, permissions (2), the ticket, the bell's unread COUNT (now run by the reading
# and kept for the bell), events, attachments. One UPDATE more only when something is unread.
# Issue 10: + the reply form's canned replies, + the followers panel, + the related tickets
# (links out and in). Issues 11-12: + the feature panels of the work view (remote consents,
# work log, plan, checks, device and visits, vendor cases, major incident) and the viewer's
# site limits; fieldwork/tests/test_work_view_queries.py shows they stay fixed. Issue 13:
# + the ticket's satisfaction survey (feedback's panel). Issue 14: + the articles linked to
# the ticket and the suggestion search on an empty knowledge base (knowledge's panel;
# knowledge/tests/test_ticket_panel.py shows its count stays fixed).
# Issue 11 (speed): the page's own reads once it has the ticket (events, attachments, canned
# replies, followers, links, duplicates) and the work view panels' (tickets.selectors_prepared
# ``page_reads``) go to the database in one round trip: session, user, permissions (2), site
# limits, the ticket, the bell's COUNT, that one batch, the major incident panel and notice
# (2), the survey, the knowledge panel (2).
TICKET_PAGE_QUERIES = 7 + 1 + 2 + 1 + 2


def unread(user: User, **filters: object) -> int:
    return Notification.objects.filter(
        recipient=user, channel="in_app", read_at__isnull=True, **filters
    ).count()


def bell(html: str) -> int:
    """The number in the top bar's bell (absent when nothing is unread)."""
    badge = re.search(r'id="unread-count">\s*(\d+)\s*<', html)
    return int(badge.group(1)) if badge else 0


def tell(user: User, count: int, *, link: str = "", tag: str = "n") -> None:
    """``count`` in-app notifications for ``user``, one a minute; the newest is N-<count>.
    Each about a ticket of its own unless ``link`` names one (the inbox groups by ticket)."""
    start = timezone.now() - dt.timedelta(days=1)
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            channel="in_app",
            kind=TicketNotice.SUBMITTED,
            link=link or f"/tickets/N-{i:04d}/",
            payload={"number": f"N-{i:04d}", "title": f"Told {i}"},
            dedupe_key=f"reading:{tag}:{user.pk}:{i}",
            created_at=start + dt.timedelta(minutes=i),
        )
        for i in range(1, count + 1)
    )


@pytest.fixture
def two_outages(alice, bob, erin):
    """Two high-priority tickets: bob and erin are each told about both, in the app."""
    return (
        make_ticket(requester=alice, title="Core switch down", **HIGH),
        make_ticket(requester=alice, title="Mail server down", **HIGH),
    )


def test_opening_a_ticket_marks_only_that_viewers_notifications_about_it_read(
    two_outages, bob, erin, web
):
    # given: bob had also read an older one about the first ticket, two hours ago
    first, second = two_outages
    earlier = timezone.now() - dt.timedelta(hours=2)
    tell(bob, 1, link=ticket_link(first))
    Notification.objects.filter(payload__number="N-0001").update(read_at=earlier)
    assert unread(bob) == unread(erin) == 2

    # when
    response = web(bob).get(f"/tickets/{first.number}/")

    # then: bob's about the first ticket is read; his other one and erin's stay unread
    assert response.status_code == 200
    assert unread(bob, link=ticket_link(first)) == 0
    assert unread(bob, link=ticket_link(second)) == 1
    assert unread(erin) == 2
    assert Notification.objects.get(payload__number="N-0001").read_at == earlier  # kept


def test_the_bell_drops_once_the_ticket_was_opened(two_outages, bob, web):
    # given
    first, _ = two_outages
    client = web(bob)
    assert bell(client.get("/notifications/").content.decode()) == 2

    # when
    ticket_page = client.get(f"/tickets/{first.number}/").content.decode()
    next_page = client.get("/notifications/").content.decode()

    # then: the ticket page already counts what is left, and so does the next page
    assert bell(ticket_page) == 1
    assert bell(next_page) == 1


def test_the_ticket_page_runs_its_fixed_queries_plus_one_update_when_something_is_unread(
    alice, bob, web
):
    # given: a ticket bob was not told about (medium priority), a warm client
    ticket = make_ticket(requester=alice)
    client = web(bob)
    url = f"/tickets/{ticket.number}/"
    assert client.get(url).status_code == 200

    # when: nothing unread at all, then one, then three unread about this ticket
    with CaptureQueriesContext(connection) as nothing_unread:
        client.get(url)
    tell(bob, 1, link=ticket_link(ticket))
    with CaptureQueriesContext(connection) as one_unread:
        one = client.get(url).content.decode()
    tell(bob, 3, link=ticket_link(ticket), tag="more")
    Notification.objects.filter(recipient=bob).update(read_at=None)
    with CaptureQueriesContext(connection) as four_unread:
        four = client.get(url).content.decode()

    # then: no query for nothing unread; exactly one UPDATE however many there are
    assert len(nothing_unread) == TICKET_PAGE_QUERIES
    assert len(one_unread) == len(four_unread) == TICKET_PAGE_QUERIES + 1
    for captured in (one_unread, four_unread):
        updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1
        assert '"tickets_notification"' in updates[0]
    assert bell(one) == bell(four) == 0
    assert unread(bob) == 0


def test_the_inbox_pages_past_50_newest_first(bob, carol, web):
    # given
    tell(bob, 51)
    client = web(bob)

    # when
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()

    # then: N-0051 (the newest) heads page 1; N-0001, the 51st newest, is alone on page 2
    assert first.count('action="/notifications/') - first.count('action="/notifications/read') == 50
    assert first.index("N-0051") < first.index("N-0050")
    assert "N-0002" in first and "N-0001" not in first
    assert "N-0001" in second and "N-0002" not in second
    assert "?page=2" in first and "?page=1" in second
    assert "2 / 2" in second
    empty = web(carol).get("/notifications/?page=2").content.decode()  # clear, unpaged
    assert 'class="empty-title"' in empty and 'class="pagination"' not in empty


def test_the_inbox_runs_the_same_queries_for_every_page_and_size(bob, web):
    # given
    client = web(bob)
    assert client.get("/notifications/").status_code == 200  # warm up: session, content types
    tell(bob, 60)

    # when
    with CaptureQueriesContext(connection) as small_first:
        client.get("/notifications/")
    with CaptureQueriesContext(connection) as small_second:
        second = client.get("/notifications/?page=2").content.decode()
    Notification.objects.filter(recipient=bob).delete()
    tell(bob, 160)
    with CaptureQueriesContext(connection) as large_first:
        client.get("/notifications/")
    with CaptureQueriesContext(connection) as large_last:
        last = client.get("/notifications/?page=4").content.decode()

    # then: session, user, the bell's COUNT, the page's COUNT and rows (+ permissions);
    # issue 17: the rows are groups (kind × ticket), + their newest rows
    counts = {len(q) for q in (small_first, small_second, large_first, large_last)}
    assert len(counts) == 1
    assert counts.pop() <= 8
    assert "N-0001" in second and "N-0001" in last and "4 / 4" in last
