"""On-site visits (R3.2, R4.2): scheduled by the engineer handling the ticket, confirmed
or moved by the requester on her page, recorded after the visit; the resolved ticket's
parts go into the device's history, which the device page lists with the ticket."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from assets.models import MaintenanceRecord
from assets.tests.factories import make_asset
from fieldwork.models import SiteVisit
from notifications.models import Notification
from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import TicketState
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

MONDAY_9 = sh(2026, 11, 23, 9, 0)
TUESDAY_14 = sh(2026, 11, 24, 14, 0)
WEDNESDAY_10 = sh(2026, 11, 25, 10, 0)
REPORT = {
    "indicator_lights": "电源灯绿，状态灯橙色闪烁 / power green, status amber blinking",
    "physical_damage": "",
    "work_done": "Replaced the fuser unit and cleaned the paper path",
    "parts_used": "fuser unit RM2-5425; pickup roller",
    "site_cleaned": True,
}


def visits_url(ticket, *rest) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/api/v1/tickets/{ticket.number}/visits/{tail}"


def told(person: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind, channel="in_app"))


def kinds(ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind__startswith="visit").values_list(
            "kind", flat=True
        )
    )


@pytest.fixture
def printer(alice):
    return make_asset("SH-PRN-0001", owner=alice, kind="printer", model="LaserJet Pro M404dn")


@pytest.fixture
def worked(alice, bob, printer):
    """alice's ticket about her printer, accepted by bob on Monday 09:00."""
    with time_machine.travel(MONDAY_9, tick=False):
        return make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob, asset=printer)


def schedule(api, engineer, ticket, **overrides):
    body = {"scheduled_at": TUESDAY_14.isoformat(), "bring": "fuser unit, gloves", **overrides}
    return api(engineer).post(visits_url(ticket), body, format="json")


# --- the whole story -----------------------------------------------------------------------


def test_scheduled_confirmed_completed_resolved_gives_a_maintenance_record(
    api, web, alice, bob, worked, printer
):
    # given: bob schedules a visit for Tuesday 14:00 (on Monday)
    with time_machine.travel(MONDAY_9 + dt.timedelta(minutes=30), tick=False):
        scheduled = schedule(api, bob, worked)
    assert scheduled.status_code == 201, scheduled.json()
    visit_id = scheduled.json()["id"]
    assert scheduled.json()["state"] == "scheduled"
    assert len(told(alice, "visit_scheduled")) == 1

    # when: alice confirms on her page (a form POST), bob is told
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1), tick=False):
        page = web(alice).get(f"/tickets/{worked.number}/")
        assert f"/tickets/{worked.number}/visits/{visit_id}/confirm/" in page.content.decode()
        confirmed = web(alice).post(f"/tickets/{worked.number}/visits/{visit_id}/confirm/")
    assert confirmed.status_code == 302
    assert SiteVisit.objects.get(pk=visit_id).state == "confirmed"
    assert len(told(bob, "visit_confirmed")) == 1

    # when: bob records the visit on Tuesday, with the parts used, then resolves
    with time_machine.travel(TUESDAY_14 + dt.timedelta(minutes=50), tick=False):
        done = api(bob).post(visits_url(worked, visit_id, "complete"), REPORT, format="json")
        assert done.status_code == 200, done.json()
        ticket_services.diagnose_ticket(
            worked.pk,
            actor=bob,
            root_cause_type="hardware",
            root_cause="Fuser worn out",
            impact_scope="One printer",
            solution_plan="Replace the fuser",
        )
        ticket_services.resolve_ticket(worked.pk, actor=bob, solution="Fuser unit replaced")

    # then: one record on the printer for this ticket, with the parts
    record = MaintenanceRecord.objects.get(asset=printer)
    assert record.ticket_id == worked.pk
    assert record.date == dt.date(2026, 11, 24)
    assert record.parts == "fuser unit RM2-5425; pickup roller"
    assert "Fuser unit replaced" in record.work_done
    assert "Replaced the fuser unit and cleaned the paper path" in record.work_done
    assert done.json()["state"] == "completed" and done.json()["site_cleaned"] is True
    assert kinds(worked) == ["visit_scheduled", "visit_confirmed", "visit_completed"]

    # and: the printer's page lists it with its ticket, as does the API
    html = web(bob).get(f"/assets/{printer.pk}/").content.decode()
    assert f'data-ticket="{worked.number}"' in html and "pickup roller" in html
    assert f'data-number="{worked.number}"' in html
    body = api(bob).get(f"/api/v1/assets/{printer.pk}/").json()
    assert [m["ticket"] for m in body["maintenance"]] == [worked.number]
    assert [t["number"] for t in body["tickets"]] == [worked.number]


def test_requester_proposes_another_time_and_the_engineer_accepts_it(api, alice, bob, worked):
    # given
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]

        # when: alice cannot make it and proposes Wednesday 10:00, with a note
        proposed = api(alice).post(
            visits_url(worked, visit_id, "propose"),
            {
                "proposed_at": WEDNESDAY_10.isoformat(),
                "note": "周二全天开会 / meetings all Tuesday",
            },
            format="json",
        )

        # then: bob is told and sees the proposal
        assert proposed.status_code == 200, proposed.json()
        assert proposed.json()["state"] == "proposed"
        assert len(told(bob, "visit_time_proposed")) == 1
        listed = api(bob).get(visits_url(worked)).json()
        assert listed[0]["proposed_at"] is not None
        assert listed[0]["proposal_note"] == "周二全天开会 / meetings all Tuesday"

        # when: bob accepts it (no time given)
        moved = api(bob).post(visits_url(worked, visit_id, "reschedule"), {}, format="json")

    # then: the visit is on Wednesday, agreed; alice is told
    assert moved.status_code == 200, moved.json()
    visit = SiteVisit.objects.get(pk=visit_id)
    assert (visit.state, visit.scheduled_at) == ("confirmed", WEDNESDAY_10)
    assert len(told(alice, "visit_rescheduled")) == 1
    assert kinds(worked) == ["visit_scheduled", "visit_time_proposed", "visit_rescheduled"]


def test_an_engineers_own_new_time_asks_the_requester_again(api, alice, bob, worked):
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]
        api(alice).post(visits_url(worked, visit_id, "confirm"), format="json")

        # when
        moved = api(bob).post(
            visits_url(worked, visit_id, "reschedule"),
            {"scheduled_at": WEDNESDAY_10.isoformat()},
            format="json",
        )

        # then: waiting for alice again
        assert moved.json()["state"] == "scheduled" and moved.json()["confirmed_at"] is None
        assert api(alice).post(visits_url(worked, visit_id, "confirm")).status_code == 200


def test_accepting_without_a_proposal_names_the_missing_time(api, bob, worked):
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]
        response = api(bob).post(visits_url(worked, visit_id, "reschedule"), {}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"scheduled_at"}


def test_a_cancelled_visit_tells_the_requester_and_cannot_be_recorded(api, alice, bob, worked):
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]
        cancelled = api(bob).post(
            visits_url(worked, visit_id, "cancel"), {"reason": "Fixed remotely"}, format="json"
        )
        again = api(bob).post(visits_url(worked, visit_id, "complete"), REPORT, format="json")
        confirm = api(alice).post(visits_url(worked, visit_id, "confirm"))
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert len(told(alice, "visit_cancelled")) == 1
    assert again.status_code == 409 and confirm.status_code == 409


# --- who may ---------------------------------------------------------------------------------


def test_only_the_handler_schedules_and_only_the_requester_answers(
    api, alice, bob, carol, erin, tom, dave, worked
):
    with time_machine.travel(MONDAY_9, tick=False):
        # scheduling: bob (assignee) and tom (tech lead); erin, dave, alice refused; carol 404
        assert schedule(api, erin, worked).status_code == 403
        assert schedule(api, dave, worked).status_code == 403
        assert schedule(api, alice, worked).status_code == 403
        assert schedule(api, carol, worked).status_code == 404
        assert schedule(api, tom, worked).status_code == 201
        visit_id = schedule(api, bob, worked).json()["id"]

        # answering: alice only; an engineer cannot confirm for her
        for person in (bob, tom, erin):
            assert api(person).post(visits_url(worked, visit_id, "confirm")).status_code == 403
            assert (
                api(person)
                .post(
                    visits_url(worked, visit_id, "propose"),
                    {"proposed_at": WEDNESDAY_10.isoformat()},
                    format="json",
                )
                .status_code
                == 403
            )
        assert api(carol).post(visits_url(worked, visit_id, "confirm")).status_code == 404
        assert api(carol).get(visits_url(worked)).status_code == 404

        # recording: not the requester, not another engineer
        complete = visits_url(worked, visit_id, "complete")
        assert api(alice).post(complete, REPORT, format="json").status_code == 403
        assert api(erin).post(complete, REPORT, format="json").status_code == 403
        assert SiteVisit.objects.get(pk=visit_id).state == "scheduled"


def test_a_visit_id_of_another_ticket_is_not_found(api, alice, bob, worked, printer):
    # given: a visit on another of alice's tickets
    with time_machine.travel(MONDAY_9, tick=False):
        other = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
        foreign = schedule(api, bob, other).json()["id"]

        # when / then
        assert api(alice).post(visits_url(worked, foreign, "confirm")).status_code == 404
        assert api(alice).post(visits_url(worked, 99999999, "confirm")).status_code == 404


def test_visits_are_arranged_only_while_the_ticket_is_worked(api, alice, bob):
    with time_machine.travel(MONDAY_9, tick=False):
        waiting = make_ticket(requester=alice)
        resolved = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
        assert schedule(api, bob, waiting).status_code in (403, 409)
        assert schedule(api, bob, resolved).status_code == 409


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scheduled_at": "2026-11-20T10:00:00+08:00"}, "scheduled_at"),  # in the past
        ({"scheduled_at": "2028-01-01T10:00:00+08:00"}, "scheduled_at"),  # over a year ahead
        ({"scheduled_at": "tomorrow"}, "scheduled_at"),
        ({"scheduled_at": ["x"]}, "scheduled_at"),
        ({"bring": "x" * 501}, "bring"),
        ({"bring": "a\x00b"}, "bring"),
    ],
)
def test_bad_schedule_input_is_a_400_naming_the_field(api, bob, worked, body, field):
    with time_machine.travel(MONDAY_9, tick=False):
        response = schedule(api, bob, worked, **body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert SiteVisit.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"work_done": ""}, "work_done"),
        ({"site_cleaned": None}, "site_cleaned"),
        ({"site_cleaned": "maybe"}, "site_cleaned"),
        ({"parts_used": "p" * 501}, "parts_used"),
        ({"indicator_lights": "l" * 201}, "indicator_lights"),
    ],
)
def test_bad_visit_report_is_a_400_naming_the_field(api, bob, worked, change, field):
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]
        body = {**REPORT, **change}
        response = api(bob).post(visits_url(worked, visit_id, "complete"), body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert SiteVisit.objects.get(pk=visit_id).state == "scheduled"


def test_a_proposal_in_the_past_is_a_400(api, alice, bob, worked):
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]
        response = api(alice).post(
            visits_url(worked, visit_id, "propose"),
            {"proposed_at": "2026-11-01T10:00:00+08:00"},
            format="json",
        )
    assert response.status_code == 400 and set(response.json()) == {"proposed_at"}


# --- the pages -----------------------------------------------------------------------------


def test_the_work_panel_schedules_and_shows_errors_in_place(web, bob, worked, printer):
    # given
    User.objects.filter(pk=bob.pk).update(language="en")
    client = web(bob)
    url = f"/tickets/{worked.number}/visits/"

    with time_machine.travel(MONDAY_9, tick=False):
        # when: a time in the past
        bad = client.post(url, {"scheduled_at": "2026-11-20T10:00", "bring": "gloves"})

        # then: the ticket page again, the form open with the error and what was typed
        html = bad.content.decode()
        assert bad.status_code == 400
        assert "Choose a time that has not passed yet." in html
        assert '<details open id="schedule-details">' in html
        assert "gloves" in html

        # when: a good time
        good = client.post(url, {"scheduled_at": "2026-11-24T14:00", "bring": "fuser unit"})

    # then: the visit at 14:00 in bob's zone (Shanghai)
    assert good.status_code == 302
    visit = SiteVisit.objects.get()
    assert visit.scheduled_at == TUESDAY_14
    page = client.get(f"/tickets/{worked.number}/").content.decode()
    assert f'data-visit="{visit.pk}"' in page and "2026-11-24 14:00" in page
    assert "SH-PRN-0001" in page  # the device beside the visits


def test_a_time_outside_the_calendar_on_the_page_is_a_field_error(web, bob, worked):
    with time_machine.travel(MONDAY_9, tick=False):
        response = web(bob).post(
            f"/tickets/{worked.number}/visits/", {"scheduled_at": "0001-01-01T00:00"}
        )
    assert response.status_code == 400
    assert SiteVisit.objects.count() == 0


def test_the_requester_proposes_from_her_page(web, api, alice, bob, worked):
    with time_machine.travel(MONDAY_9, tick=False):
        visit_id = schedule(api, bob, worked).json()["id"]
        response = web(alice).post(
            f"/tickets/{worked.number}/visits/{visit_id}/propose/",
            {"proposed_at": "2026-11-25T10:00", "note": "After the meeting"},
        )
    assert response.status_code == 302
    visit = SiteVisit.objects.get(pk=visit_id)
    assert (visit.state, visit.proposed_at, visit.proposal_note) == (
        "proposed",
        WEDNESDAY_10,
        "After the meeting",
    )


def test_an_engineer_sets_the_tickets_device(api, web, alice, bob, carol, printer):
    # given: a ticket filed without a device
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)

    # when: bob sets it from the page, then clears it by API
    set_ = web(bob).post(f"/tickets/{ticket.number}/asset/", {"asset": "SH-PRN-0001"})
    unknown = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/asset/", {"asset": "NOPE"}, format="json"
    )
    by_alice = api(alice).post(
        f"/api/v1/tickets/{ticket.number}/asset/", {"asset": ""}, format="json"
    )
    by_carol = api(carol).post(
        f"/api/v1/tickets/{ticket.number}/asset/", {"asset": ""}, format="json"
    )
    ticket.refresh_from_db()
    assert ticket.asset == printer
    cleared = api(bob).post(
        f"/api/v1/tickets/{ticket.number}/asset/", {"asset": None}, format="json"
    )

    # then
    assert set_.status_code == 302
    assert unknown.status_code == 400 and set(unknown.json()) == {"asset"}
    assert (by_alice.status_code, by_carol.status_code) == (403, 404)
    assert cleared.status_code == 200 and cleared.json()["asset"] is None
    changes = TicketEvent.objects.filter(ticket=ticket, kind="asset_changed")
    assert [e.data for e in changes] == [
        {"from": "", "to": "SH-PRN-0001"},
        {"from": "SH-PRN-0001", "to": ""},
    ]


# --- query counts --------------------------------------------------------------------------


def test_the_work_view_with_visits_runs_a_fixed_number_of_queries(
    api, web, alice, bob, worked, printer
):
    # given: one visit, and a record in the printer's history
    client = web(bob)
    with time_machine.travel(MONDAY_9, tick=False):
        schedule(api, bob, worked)
        other = make_ticket(requester=alice, asset=printer)
        MaintenanceRecord.objects.create(
            asset=printer,
            date=dt.date(2026, 1, 1),
            ticket=other,
            work_done="x",
            created_at=MONDAY_9,
        )
        client.get(f"/tickets/{worked.number}/")

        def measure() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/tickets/{worked.number}/").status_code == 200
            return len(queries)

        one = measure()

        # when: four visits more (one completed, one proposed) and ten more records
        for hours in range(4):
            schedule(
                api, bob, worked, scheduled_at=(TUESDAY_14 + dt.timedelta(hours=hours)).isoformat()
            )
        visits = list(SiteVisit.objects.filter(ticket=worked))
        api(bob).post(visits_url(worked, visits[1].pk, "complete"), REPORT, format="json")
        api(alice).post(
            visits_url(worked, visits[2].pk, "propose"),
            {"proposed_at": WEDNESDAY_10.isoformat()},
            format="json",
        )
        for n in range(10):
            MaintenanceRecord.objects.create(
                asset=printer,
                date=dt.date(2026, 2, n + 1),
                ticket=other,
                work_done="y",
                created_at=MONDAY_9,
            )

        # then (a first look reads bob's new notices, as any page of the ticket would)
        client.get(f"/tickets/{worked.number}/")
        assert measure() == one


def test_the_panels_read_a_fixed_number_of_queries(
    api, alice, bob, worked, django_assert_num_queries
):
    # given: the ticket as the page loads it (with its requester and device)
    from fieldwork.registrations.visits import requester_panel, work_panel
    from tickets.selectors import get_ticket_for

    with time_machine.travel(MONDAY_9, tick=False):
        for hours in range(5):
            at = (TUESDAY_14 + dt.timedelta(hours=hours)).isoformat()
            schedule(api, bob, worked, scheduled_at=at)
        ticket = get_ticket_for(bob, worked.number)

        # when / then: visits, the device's history, the requester's devices
        with django_assert_num_queries(3):
            panel = work_panel(ticket, bob)
        assert panel is not None and len(panel["rows"]) == 5
        own = get_ticket_for(alice, worked.number)
        with django_assert_num_queries(1):
            mine = requester_panel(own, alice)
        assert mine is not None and len(mine["rows"]) == 5
