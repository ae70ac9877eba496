"""The read-only banner every member of staff sees while a major incident is open."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services
from incidents.choices import IncidentStatus
from incidents.models import MajorIncident
from incidents.tests.factories_ui import declare, resolve

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _incident_queries(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    table = MajorIncident._meta.db_table
    return page.content.decode(), sum(table in q["sql"] for q in queries.captured_queries)


def test_every_member_of_staff_sees_the_banner(web, tom, bob, dave, admin):
    incident = declare(by=tom, title="ERP <down> for everyone")
    live = reverse("incidents:live", kwargs={"number": incident.number})

    for person in (bob, tom, dave, admin):
        for url in (PROFILE, reverse("tickets:search"), reverse("notifications:inbox")):
            page = _english(web(person)).get(url).content.decode()
            assert 'id="incident-banner"' in page, (person, url)
            assert incident.number in page
            assert "ERP &lt;down&gt; for everyone" in page
            assert f'href="{live}"' in page
            assert ">Investigating</span>" in page


def test_a_requester_never_sees_it(web, tom, alice):
    declare(by=tom)

    for url in (PROFILE, reverse("tickets:mine"), reverse("tickets:new")):
        assert 'id="incident-banner"' not in web(alice).get(url).content.decode()


def test_no_banner_while_no_incident_is_open(web, bob):
    assert 'id="incident-banner"' not in web(bob).get(PROFILE).content.decode()


def test_the_banner_follows_the_status_and_goes_when_resolved(web, tom, bob):
    incident = declare(by=tom)
    client = _english(web(bob))
    assert ">Investigating</span>" in client.get(PROFILE).content.decode()  # now cached

    services.post_status(incident.pk, actor=tom, status=IncidentStatus.IDENTIFIED, note="Disk")
    assert ">Identified</span>" in client.get(PROFILE).content.decode()

    services.record_restoration(incident.pk, actor=tom, restoration="Standby server")
    assert ">Service restored</span>" in client.get(PROFILE).content.decode()

    resolve(incident, by=tom)
    assert 'id="incident-banner"' not in client.get(PROFILE).content.decode()


def test_several_open_incidents_show_three_and_point_to_the_list(web, tom, bob):
    made = [declare(by=tom, title=f"Outage {i}") for i in range(4)]

    page = _english(web(bob)).get(PROFILE).content.decode()

    assert [m.number in page for m in made] == [False, True, True, True]  # newest first
    assert "More incidents are open: see the list" in page
    assert f'href="{reverse("incidents:list")}"' in page


def test_a_page_with_the_banner_asks_one_query_then_none_while_cached(web, tom, bob):
    declare(by=tom)
    client = web(bob)

    first, asked = _incident_queries(client, PROFILE)
    assert 'id="incident-banner"' in first
    assert asked == 1
    again, asked_again = _incident_queries(client, PROFILE)
    assert 'id="incident-banner"' in again
    assert asked_again == 0


def test_a_page_that_shows_no_banner_asks_nothing(web, tom, alice):
    declare(by=tom)

    _page, asked = _incident_queries(web(alice), PROFILE)

    assert asked == 0
