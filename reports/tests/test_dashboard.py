"""The managers' home: a manager signing in lands on it; it shows the desk at a glance,
each figure the engine's (or the queue's and the incidents' own), each linking to its page.

Read on Monday 2 November 2026 at 09:20 over the October desk of ``factories_engine``.
"""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import PASSWORD
from incidents.tests.factories import declare_at
from reports.tests.factories_engine import NOW, october
from reports.tests.test_pages import cells, read
from tests.clock import sh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]


def figure(html: str, name: str) -> str:
    """The text of the element marked ``data-figure="name"`` (tags dropped)."""
    found = re.search(rf'data-figure="{name}">(.*?)</div>', html, re.S)
    assert found is not None, name
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture
def desk(alice, bob, erin, tom, dave):
    built = october(alice, bob, erin, tom)
    # The SLA sweep has recorded what fell due by Monday morning.
    with time_machine.travel(NOW, tick=False):
        call_command("run_sweeps", "tickets.sla", stdout=io.StringIO())
    return built


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("dave", "/reports/"),
        ("tom", "/tickets/queue/"),
        ("bob", "/tickets/queue/"),
        ("alice", "/tickets/mine/"),
    ],
)
def test_a_manager_lands_on_the_dashboard_others_keep_their_page(
    alice, bob, tom, dave, username, lands_on
):
    # when: each signs in through the form
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, follow=True
    )

    # then
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == lands_on


def test_the_dashboard_shows_the_desk_at_a_glance(desk, web, dave, tom):
    # given: a major incident under way
    incident = declare_at(sh(2026, 11, 2, 9, 0), by=tom, title="ERP down for everyone")

    # when
    status, html = read(web(dave), "/reports/")

    # then: this week has no ticket yet; last week T12 met its response, T6 breached it
    assert status == 200
    assert figure(html, "response") == "—"
    assert figure(html, "last-week") == "Last week: 50.0 % responses, — resolutions"
    # being worked past a deadline: T0 and T6, never accepted
    assert figure(html, "breaching") == "2"
    # open now: T0 T2 T6 T7 T8 T12; T0 filed 35 days ago
    assert figure(html, "backlog") == "6"
    assert figure(html, "oldest") == "30 days or more: 1"
    # November: no survey yet
    assert figure(html, "satisfaction") == "— / 5"
    assert figure(html, "surveys") == "0 surveys answered, 0 rated 2 or less"
    assert figure(html, "incidents") == "1"
    assert f'href="/incidents/{incident.number}/"' in html
    # each card opens its report on the same period
    for link in (
        "/reports/sla/?from=2026-11-02&amp;to=2026-11-08",
        "/tickets/queue/?sort=deadline",
        "/reports/backlog/?from=2026-11-01&amp;to=2026-11-30",
        "/reports/satisfaction/?from=2026-11-01&amp;to=2026-11-30",
    ):
        assert f'href="{link}"' in html, link
    # the last eight weeks, the same numbers as the SLA page's
    trend = cells(html, "trend-table")
    assert list(trend)[:2] == ["2026-09-14", "2026-09-21"]
    assert len(trend) == 9  # eight weeks and the total
    assert trend["2026-10-12"]["response_met_pct"] == "75.0 %"
    # this month's tickets by category: T8 alone
    assert cells(html, "categories-table")["software"]["share_pct"] == "100.0 %"


def test_a_manager_limited_to_a_site_sees_that_site_only(desk, web, dave):
    # given: dave works for Beijing only
    dave.limited_to_sites.add(desk.sites["bj"])

    # when
    status, html = read(web(dave), "/reports/")

    # then: last week's only Beijing ticket is T12 (met); nothing breaching in Beijing
    assert status == 200
    assert figure(html, "last-week") == "Last week: 100.0 % responses, — resolutions"
    assert figure(html, "breaching") == "0"
    assert figure(html, "backlog") == "1"  # T12


def test_an_empty_desk_shows_dashes_and_no_incident(web, dave):
    # when
    status, html = read(web(dave), "/reports/")

    # then
    assert status == 200
    assert figure(html, "response") == "—"
    assert figure(html, "breaching") == "0"
    assert figure(html, "incidents") == "0"
    assert "None open — all quiet." in html
    assert "No tickets submitted this month yet." in html
