"""The incidents API: who may, the contract's shapes, 400s naming the field, 403/404/409,
and fixed query counts on the list and the detail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import Site
from incidents import services
from incidents.choices import IncidentStatus, MemberRole
from incidents.models import MajorIncident
from incidents.tests.factories import declare_at, run_sweeps_at
from tests.clock import sh
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"


def url(incident: MajorIncident, tail: str = "") -> str:
    return f"{URL}{incident.number}/{tail}"


def test_a_tech_lead_declares_from_a_ticket_and_commands_it(api, tom, alice, dave):
    # given
    ticket = make_ticket(requester=alice, title="ERP login fails")
    site = Site.objects.create(name="Shanghai HQ")

    # when
    response = api(tom).post(
        URL,
        {
            "title": "ERP is down",
            "impact": "Nobody can post orders.",
            "ticket": ticket.number,
            "affected_services": "ERP",
            "sites": [site.pk],
            "stakeholders": ["dave"],
        },
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("MI-")
    assert body["commander"] == "tom"
    assert body["source_ticket"] == ticket.number
    assert body["linked_tickets"] == 1
    assert body["sites"] == [{"id": site.pk, "name": "Shanghai HQ"}]
    assert body["stakeholders"] == ["dave"]
    assert body["members"][0]["role"] == MemberRole.COMMANDER
    assert body["status"] == IncidentStatus.INVESTIGATING
    assert body["link"].endswith(f"/incidents/{body['number']}/")


def test_an_engineer_declares_naming_a_commander(api, bob, tom):
    response = api(bob).post(
        URL, {"title": "VPN down", "impact": "No remote work.", "commander": "tom"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["commander"] == "tom"
    assert response.json()["task_force_formed_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"impact": "x"}, "title"),
        ({"title": "VPN down"}, "impact"),
        ({"title": "a\nb", "impact": "x"}, "title"),
        ({"title": "VPN", "impact": "x", "ticket": "IT-19990101-0001"}, "ticket"),
        ({"title": "VPN", "impact": "x", "commander": "nobody"}, "commander"),
        ({"title": "VPN", "impact": "x", "commander": "bob"}, "commander"),
        ({"title": "VPN", "impact": "x", "sites": [987654]}, "sites"),
        ({"title": "VPN", "impact": "x", "sites": "all"}, "sites"),
        ({"title": "VPN", "impact": "x", "stakeholders": ["ghost"]}, "stakeholders"),
    ],
)
def test_bad_declarations_are_400_naming_the_field(api, tom, bob, body, field):
    response = api(tom).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert MajorIncident.objects.count() == 0


def test_an_engineer_without_a_commander_is_told_to_name_one(api, bob):
    response = api(bob).post(URL, {"title": "VPN down", "impact": "x"}, format="json")
    assert response.status_code == 400
    assert "commander" in response.json()


def test_requesters_get_403_everywhere_and_managers_read_only(api, tom, alice, dave):
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    for path in [URL, url(incident), url(incident, "reports/")]:
        assert api(alice).get(path).status_code == 403
        assert api(dave).get(path).status_code == 200
    assert api(alice).post(URL, {"title": "x", "impact": "y"}, format="json").status_code == 403
    assert api(dave).post(URL, {"title": "x", "impact": "y"}, format="json").status_code == 403
    for tail, body in [
        ("status/", {"status": "identified", "note": "x"}),
        ("members/", {"user": "dave", "role": "engineer"}),
        ("link/", {"tickets": ["IT-1"]}),
        ("restore/", {"restoration": "x"}),
    ]:
        assert api(alice).post(url(incident, tail), body, format="json").status_code == 403
        assert api(dave).post(url(incident, tail), body, format="json").status_code == 403
    assert api(dave).patch(url(incident), {"title": "x"}, format="json").status_code == 403


def test_an_unknown_number_is_404(api, tom):
    assert api(tom).get(f"{URL}MI-19990101-01/").status_code == 404
    assert (
        api(tom)
        .post(f"{URL}MI-19990101-01/status/", {"status": "identified", "note": "x"}, format="json")
        .status_code
        == 404
    )


def test_status_with_the_current_status_is_an_update_and_backwards_is_409(api, tom):
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    client = api(tom)

    same = client.post(url(incident, "status/"), {"status": "investigating", "note": "DB ok"})
    forward = client.post(
        url(incident, "status/"),
        {"status": "identified", "note": "Disk array", "next_steps": "Fail over"},
        format="json",
    )
    back = client.post(url(incident, "status/"), {"status": "investigating", "note": "?"})
    bad = client.post(url(incident, "status/"), {"status": "fixed", "note": "?"})
    empty = client.post(url(incident, "status/"), {"status": "identified", "note": ""})

    assert same.status_code == 201 and same.json()["status"] == "investigating"
    assert forward.status_code == 201 and forward.json()["next_steps"] == "Fail over"
    assert back.status_code == 409
    assert bad.status_code == 400 and "status" in bad.json()
    assert empty.status_code == 400 and "note" in empty.json()


def test_restored_through_status_or_restore_keeps_the_restoration(api, tom):
    first = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    second = declare_at(sh(2026, 3, 2, 10, 0), by=tom, title="VPN down")
    with time_machine.travel(sh(2026, 3, 2, 10, 45), tick=False):
        by_status = api(tom).post(
            url(first, "status/"), {"status": "restored", "note": "Standby server"}
        )
        by_restore = api(tom).post(url(second, "restore/"), {"restoration": "Backup link"})
        again = api(tom).post(url(second, "restore/"), {"restoration": "Again"})
        missing = api(tom).post(url(first, "restore/"), {})

    assert by_status.status_code == 201
    assert by_restore.status_code == 200
    assert by_restore.json()["restoration"] == "Backup link"
    assert by_restore.json()["time_to_restore_seconds"] == 45 * 60
    assert by_restore.json()["next_report_at"] is None
    first.refresh_from_db()
    assert first.restoration == "Standby server"
    assert again.status_code == 409
    assert missing.status_code == 400 and "restoration" in missing.json()


def test_members_endpoint(api, tom, bob, erin, alice):
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    joined = api(bob).post(url(incident, "members/"), {"user": "bob", "role": "engineer"})
    others = api(bob).post(url(incident, "members/"), {"user": "erin", "role": "engineer"})
    requester = api(tom).post(url(incident, "members/"), {"user": "alice", "role": "engineer"})
    unknown = api(tom).post(url(incident, "members/"), {"user": "ghost", "role": "engineer"})
    role = api(tom).post(url(incident, "members/"), {"user": "erin", "role": "boss"})

    assert joined.status_code == 201 and joined.json()["user"] == "bob"
    assert others.status_code == 403
    assert requester.status_code == 400 and "user" in requester.json()
    assert unknown.status_code == 400 and "user" in unknown.json()
    assert role.status_code == 400 and "role" in role.json()


def test_link_endpoint_links_many_and_names_the_bad_ones(api, tom, bob, alice, carol):
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    tickets = [make_ticket(requester=p) for p in (alice, carol, alice)]

    ok = api(bob).post(url(incident, "link/"), {"tickets": [t.number for t in tickets]})
    unknown = api(bob).post(url(incident, "link/"), {"tickets": ["IT-19990101-0001"]})
    not_a_list = api(bob).post(url(incident, "link/"), {"tickets": "IT-1"}, format="json")

    assert ok.status_code == 200
    assert ok.json() == {"linked": [t.number for t in tickets], "linked_tickets": 3}
    assert unknown.status_code == 400 and "IT-19990101-0001" in unknown.json()["tickets"][0]
    assert not_a_list.status_code == 400 and "tickets" in not_a_list.json()


def test_patch_changes_details_only(api, tom, dave):
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    response = api(tom).patch(
        url(incident),
        {"title": "ERP and mail down", "stakeholders": ["dave"], "status": "resolved"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "ERP and mail down"
    assert response.json()["stakeholders"] == ["dave"]
    assert response.json()["status"] == "investigating"  # the status moves through …/status/
    bad = api(tom).patch(url(incident), {"title": ""}, format="json")
    assert bad.status_code == 400 and "title" in bad.json()


def test_reports_endpoint_lists_each_report_with_late_and_no_new_status(api, tom, dave):
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    run_sweeps_at(sh(2026, 3, 2, 11, 5))  # 10:30 missed: one late report for 11:00

    response = api(dave).get(url(incident, "reports/"))

    assert response.status_code == 200
    [report] = response.json()
    assert report["late"] is True
    assert report["missed"] == 1
    assert report["no_new_status"] is True
    assert dt.datetime.fromisoformat(report["slot"]) == sh(2026, 3, 2, 11, 0)
    assert dt.datetime.fromisoformat(report["due_at"]) == sh(2026, 3, 2, 10, 30)
    assert dt.datetime.fromisoformat(report["next_report_at"]) == sh(2026, 3, 2, 11, 30)


def _busy_incident(tom, bob, alice, n: int) -> MajorIncident:  # type: ignore[no-untyped-def]
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom, title=f"Outage with {n}")
    services.add_member(incident.pk, actor=tom, user=bob, role=MemberRole.ENGINEER)
    services.link_tickets(
        incident.pk, actor=bob, numbers=[make_ticket(requester=alice).number for _ in range(n)]
    )
    return incident


def test_list_and_detail_run_a_fixed_number_of_queries(
    api, tom, bob, alice, dave, django_assert_max_num_queries, django_assert_num_queries
):
    # given: one small incident
    small = _busy_incident(tom, bob, alice, 1)
    client = api(dave)
    client.get(URL)  # warm-up: the permission cache, the session
    with django_assert_max_num_queries(50) as few:
        client.get(URL)
    list_count = len(few.captured_queries)  # the next request clears the log
    with django_assert_max_num_queries(50) as few_detail:
        client.get(url(small))
    detail_count = len(few_detail.captured_queries)

    # when: four more incidents, one with many tickets
    for n in (2, 3, 4):
        _busy_incident(tom, bob, alice, n)
    big = _busy_incident(tom, bob, alice, 8)

    # then: the same counts
    with django_assert_num_queries(list_count):
        response = client.get(URL)
    assert response.json()["count"] == 5
    with django_assert_num_queries(detail_count):
        assert client.get(url(big)).json()["linked_tickets"] == 8


HOSTILE = ["a\x00b", "x" * 100_001, {"$gt": ""}, 10**40, -1, [], None, ["a\x00"], [10**40]]
WRITES = {
    "": (
        "patch",
        {"title": "t", "impact": "i", "affected_services": "", "sites": [], "stakeholders": []},
    ),
    "members/": ("post", {"user": "bob", "role": "engineer"}),
    "status/": ("post", {"status": "identified", "note": "n", "next_steps": "s"}),
    "restore/": ("post", {"restoration": "r"}),
    "link/": ("post", {"tickets": ["IT-1"]}),
}


@pytest.mark.parametrize("tail", list(WRITES))
def test_hostile_values_on_a_real_incident_are_4xx_naming_the_field_never_5xx(tail, api, tom, bob):
    # given: an open incident that tom commands
    incident = declare_at(sh(2026, 3, 2, 10, 0), by=tom)
    method, plausible = WRITES[tail]
    client = api(tom)
    client.raise_request_exception = False
    wrong = []

    # when: each field gets each hostile value, the others stay plausible
    for name in plausible:
        for value in HOSTILE:
            response = getattr(client, method)(
                url(incident, tail), {**plausible, name: value}, format="json"
            )
            if response.status_code >= 500 or response["Content-Type"] != "application/json":
                wrong.append(f"{name}={value!r:.20}: {response.status_code}")
            elif response.status_code == 400 and name not in response.json():
                wrong.append(f"{name}={value!r:.20}: 400 without the field: {response.json()}")

    # then
    assert wrong == []
