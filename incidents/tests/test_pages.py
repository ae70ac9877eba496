"""The incident pages: the list, the declaration form, the live page and its forms."""

from __future__ import annotations

import pytest
import time_machine

from incidents import services
from incidents.choices import IncidentStatus, MemberRole
from incidents.models import MajorIncident
from incidents.tests.factories import declare_at, run_sweeps_at
from tests.clock import sh
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

T0 = sh(2026, 3, 2, 10, 0)


def live(incident: MajorIncident) -> str:
    return f"/incidents/{incident.number}/"


def test_the_list_shows_open_incidents_first(web, tom, dave):
    # given: an older open one, a newer resolved one
    old = declare_at(T0, by=tom, title="Old but open")
    new = declare_at(sh(2026, 3, 2, 11, 0), by=tom, title="New and resolved")
    services.post_status(new.pk, actor=tom, status=IncidentStatus.RESOLVED, note="Fixed")

    # when
    page = web(dave).get("/incidents/").content.decode()

    # then
    assert page.index(old.number) < page.index(new.number)


def test_the_list_says_so_when_there_is_none(web, bob):
    page = web(bob).get("/incidents/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "No major incidents" in page.content.decode()


def test_requesters_get_403_on_every_incident_page(web, tom, alice):
    incident = declare_at(T0, by=tom)
    client = web(alice)
    for path in ["/incidents/", "/incidents/new/", live(incident)]:
        assert client.get(path).status_code == 403
    assert client.post(f"{live(incident)}status/", {"status": "identified"}).status_code == 403


def test_a_tech_lead_declares_from_a_ticket_with_the_form_prefilled(web, tom, alice):
    # given
    ticket = make_ticket(requester=alice, title="ERP login fails")
    client = web(tom)

    # when
    form = client.get(f"/incidents/new/?ticket={ticket.number}").content.decode()
    response = client.post(
        f"/incidents/new/?ticket={ticket.number}",
        {"title": "ERP is down", "impact": "Nobody can post orders.", "ticket": ticket.number},
    )

    # then
    assert "ERP login fails" in form
    incident = MajorIncident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == live(incident)
    assert incident.source_ticket == ticket
    assert incident.commander == tom


def test_bad_declarations_come_back_with_the_error_beside_the_field(web, bob, tom):
    response = web(bob).post("/incidents/new/", {"title": "", "impact": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    # an engineer must name a commander
    response = web(bob).post("/incidents/new/", {"title": "VPN down", "impact": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["commander"]
    assert MajorIncident.objects.count() == 0


def test_the_live_page_shows_the_clocks_and_refreshes_itself(web, tom):
    # given: declared at 10:00, looked at 10:04
    incident = declare_at(T0, by=tom)
    with time_machine.travel(sh(2026, 3, 2, 10, 4), tick=False):
        page = web(tom).get(live(incident)).content.decode()

    # then: 6 minutes left for the task force, the first report at 10:30, self-refreshing
    assert 'data-clock="running"' in page and "10:10" in page
    assert 'id="next-report"' in page and 'datetime="2026-03-02T10:30:00+08:00"' in page
    assert 'hx-trigger="every 15s"' in page
    assert "?part=summary" in page and "?part=body" in page


def test_the_refresh_answers_with_the_part_only(web, tom):
    incident = declare_at(T0, by=tom)
    client = web(tom)
    summary = client.get(f"{live(incident)}?part=summary", HTTP_HX_REQUEST="true")
    body = client.get(f"{live(incident)}?part=body", HTTP_HX_REQUEST="true")
    assert 'id="incident-summary"' in summary.content.decode()
    assert "<html" not in summary.content.decode()
    assert 'id="incident-body"' in body.content.decode()
    assert "<html" not in body.content.decode()
    assert "HX-Request" in summary["Vary"]


def test_the_task_force_posts_status_links_tickets_adds_people_and_restores(web, tom, bob, alice):
    # given
    incident = declare_at(T0, by=tom)
    tickets = [make_ticket(requester=alice) for _ in range(3)]
    client = web(tom)

    # when
    added = client.post(f"{live(incident)}members/", {"user": bob.pk, "role": "engineer"})
    status = client.post(
        f"{live(incident)}status/",
        {"status": "identified", "note": "Disk array failed", "next_steps": "Fail over"},
    )
    linked = client.post(
        f"{live(incident)}link/", {"tickets": "\n".join(t.number for t in tickets)}
    )
    restored = client.post(f"{live(incident)}restore/", {"restoration": "Standby server"})

    # then
    assert [r.status_code for r in (added, status, linked, restored)] == [302] * 4
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESTORED
    assert incident.links.count() == 3
    assert incident.members.filter(user=bob, role=MemberRole.ENGINEER).exists()
    page = client.get(live(incident)).content.decode()
    assert "Disk array failed" in page and "Standby server" in page


def test_an_engineer_joins_with_one_click(web, tom, bob):
    incident = declare_at(T0, by=tom)
    page = web(bob).get(live(incident)).content.decode()
    assert 'id="join-form"' in page
    assert web(bob).post(f"{live(incident)}members/", {"join": "1"}).status_code == 302
    assert incident.members.filter(user=bob).exists()


def test_refusals_re_render_the_live_page(web, tom, bob, erin):
    incident = declare_at(T0, by=tom)
    client = web(tom)
    services.post_status(incident.pk, actor=tom, status=IncidentStatus.IDENTIFIED, note="x")

    backwards = client.post(
        f"{live(incident)}status/",
        {"status": "investigating", "note": "?"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    empty = client.post(f"{live(incident)}status/", {"status": "identified", "note": ""})
    unknown = client.post(f"{live(incident)}link/", {"tickets": "IT-19990101-0001"})
    stranger = web(erin).post(f"{live(incident)}members/", {"user": bob.pk, "role": "engineer"})

    assert (
        backwards.status_code == 409 and "only moves forward" in backwards.context["action_error"]
    )
    assert empty.status_code == 400 and empty.context["status_form"].errors["note"]
    assert unknown.status_code == 400 and unknown.context["link_form"].errors["tickets"]
    assert stranger.status_code == 403


def test_the_reports_timeline_says_late_and_no_new_status(web, tom, dave):
    incident = declare_at(T0, by=tom)
    run_sweeps_at(sh(2026, 3, 2, 11, 5))
    page = web(dave).get(live(incident)).content.decode()
    assert 'data-late="1"' in page
    assert 'data-no-new-status="1"' in page


def _crowded(tom, bob, alice, n: int) -> MajorIncident:  # type: ignore[no-untyped-def]
    incident = declare_at(T0, by=tom, title=f"Outage {n}")
    services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    services.link_tickets(
        incident.pk, actor=bob, numbers=[make_ticket(requester=alice).number for _ in range(n)]
    )
    for i in range(n):
        services.post_status(incident.pk, actor=tom, status="investigating", note=f"Step {i}")
    return incident


def test_list_and_live_page_run_a_fixed_number_of_queries(
    web, tom, bob, alice, django_assert_max_num_queries, django_assert_num_queries
):
    # given
    small = _crowded(tom, bob, alice, 1)
    client = web(tom)
    client.get("/incidents/")
    client.get(live(small))
    with django_assert_max_num_queries(60) as list_queries:
        client.get("/incidents/")
    list_count = len(list_queries.captured_queries)  # the next request clears the log
    with django_assert_max_num_queries(60) as live_queries:
        client.get(live(small))
    live_count = len(live_queries.captured_queries)

    # when: more incidents, one with more tickets, notes and reports
    for n in (2, 3):
        _crowded(tom, bob, alice, n)
    big = _crowded(tom, bob, alice, 6)
    run_sweeps_at(sh(2026, 3, 2, 11, 0))
    client.get("/incidents/")  # the staff banner reads the changed incidents once, then caches

    # then
    with django_assert_num_queries(list_count):
        client.get("/incidents/")
    with django_assert_num_queries(live_count):
        client.get(live(big))
