"""The plan and its operation window (R3.3–R3.5): recorded by the engineer handling the
ticket, confirmed by the requester alone, asked again when the window moves; shown in the
reader's zone on both sides, printed on the service report."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Site
from fieldwork.models import WorkPlan
from notifications.models import Notification
from tests.clock import sh
from tickets import services
from tickets.choices import TicketState
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket_in

pytestmark = pytest.mark.django_db

TUESDAY_10 = sh(2026, 11, 24, 10, 0)
# Tonight 20:00–21:00 in Shanghai: off-hours, as the manual's example.
TONIGHT = {"window_start": "2026-11-24T20:00:00+08:00", "window_end": "2026-11-24T21:00:00+08:00"}
PLAN = {
    "approach": "restart",
    "risk": "Unsaved drafts in the OA client are lost",
    "fault_triggered_at": "2026-11-24T08:55:00+08:00",
    "related_operation": "Plug-in update 3.2 pushed overnight",
    "log_references": "app01:/var/log/oa/server.log 08:55–09:02",
    **TONIGHT,
}


def plan_url(ticket, *rest: str) -> str:
    return f"/api/v1/tickets/{ticket.number}/plan/" + "".join(f"{part}/" for part in rest)


def told(person, kind) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind, channel="in_app"))


def kinds(ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind__startswith="plan_").values_list(
            "kind", flat=True
        )
    )


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and answers in English (the personas set no language; the desk's is Chinese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def diagnosed(alice, bob):
    """alice's ticket, accepted and diagnosed by bob on Tuesday 10:00."""
    with time_machine.travel(TUESDAY_10, tick=False):
        return make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)


def put_plan(api, user, ticket, **overrides):
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=30), tick=False):
        return api(user).put(plan_url(ticket), {**PLAN, **overrides}, format="json")


def confirm(api, user, ticket, at=TUESDAY_10 + dt.timedelta(hours=1)):
    with time_machine.travel(at, tick=False):
        return api(user).post(plan_url(ticket, "confirm"), {}, format="json")


# --- the story -------------------------------------------------------------------------------


def test_engineer_records_a_plan_and_the_requester_is_asked_to_confirm(api, alice, bob, diagnosed):
    # when
    response = put_plan(api, bob, diagnosed)

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recorded"] is True
    assert body["approach"] == "restart"
    assert body["status"] == "awaiting_confirmation"
    assert body["window_start"] == "2026-11-24T20:00:00+08:00"
    assert body["log_references"] == PLAN["log_references"]
    assert body["created_by"]["username"] == "bob"
    assert kinds(diagnosed) == ["plan_recorded"]
    assert len(told(alice, "plan_window_proposed")) == 1
    assert told(bob, "plan_window_proposed") == []


def test_requester_confirms_the_window_and_the_engineer_is_told(api, alice, bob, diagnosed):
    # given
    put_plan(api, bob, diagnosed)

    # when
    response = confirm(api, alice, diagnosed)

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    assert response.json()["confirmed_by"]["username"] == "alice"
    plan = WorkPlan.objects.get(ticket=diagnosed)
    assert plan.confirmed_at == TUESDAY_10 + dt.timedelta(hours=1)
    assert kinds(diagnosed) == ["plan_recorded", "plan_confirmed"]
    assert len(told(bob, "plan_window_confirmed")) == 1
    assert told(alice, "plan_window_confirmed") == []


def test_only_the_requester_confirms(api, alice, carol, bob, erin, tom, dave, diagnosed):
    # given
    put_plan(api, bob, diagnosed)

    # when / then: someone else's ticket does not exist; staff may not confirm for her
    assert confirm(api, carol, diagnosed).status_code == 404
    for person in (bob, erin, tom, dave):
        assert confirm(api, person, diagnosed).status_code == 403, person.username
    assert WorkPlan.objects.get(ticket=diagnosed).confirmed_at is None
    assert kinds(diagnosed) == ["plan_recorded"]


def test_confirming_twice_or_without_a_window_is_a_conflict(api, alice, bob, diagnosed):
    # no plan at all
    assert confirm(api, alice, diagnosed).status_code == 409
    # a plan without a window
    put_plan(api, bob, diagnosed, window_start=None, window_end=None)
    assert confirm(api, alice, diagnosed).status_code == 409
    # a window, confirmed once
    put_plan(api, bob, diagnosed)
    assert confirm(api, alice, diagnosed).status_code == 200
    again = confirm(api, alice, diagnosed)
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


def test_a_window_that_has_passed_cannot_be_confirmed(api, alice, bob, diagnosed):
    put_plan(api, bob, diagnosed)
    late = confirm(api, alice, diagnosed, at=sh(2026, 11, 24, 21, 30))
    assert late.status_code == 409
    assert WorkPlan.objects.get(ticket=diagnosed).confirmed_at is None


def test_a_moved_window_needs_a_new_confirmation(api, alice, bob, diagnosed):
    # given: confirmed
    put_plan(api, bob, diagnosed)
    confirm(api, alice, diagnosed)

    # when: the risk changes, the window does not
    same = put_plan(api, bob, diagnosed, risk="Drafts are saved first")

    # then: still confirmed, nobody asked again
    assert same.status_code == 200
    assert same.json()["status"] == "confirmed"
    assert len(told(alice, "plan_window_proposed")) == 1

    # when: the window moves an hour later
    moved = put_plan(
        api,
        bob,
        diagnosed,
        window_start="2026-11-24T21:00:00+08:00",
        window_end="2026-11-24T22:00:00+08:00",
    )

    # then: waiting for her again, and she is asked again
    assert moved.json()["status"] == "awaiting_confirmation"
    assert moved.json()["confirmed_at"] is None
    assert len(told(alice, "plan_window_proposed")) == 2
    assert confirm(api, alice, diagnosed).json()["status"] == "confirmed"


def test_an_unchanged_window_is_kept_once_it_has_begun(api, alice, bob, diagnosed):
    # given: the window began at 20:00
    put_plan(api, bob, diagnosed)
    confirm(api, alice, diagnosed)

    # when: at 20:30 bob adds to the log references, the window as it was
    with time_machine.travel(sh(2026, 11, 24, 20, 30), tick=False):
        response = api(bob).put(
            plan_url(diagnosed), {**PLAN, "log_references": "and db01 audit log"}, format="json"
        )

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"


# --- validation: 400 naming the field ----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"window_start": "2026-11-24T09:00:00+08:00"}, "window_start"),  # in the past
        ({"window_end": "2026-11-24T20:00:00+08:00"}, "window_end"),  # from == until
        ({"window_end": "2026-11-24T19:00:00+08:00"}, "window_end"),  # from > until
        ({"window_end": None}, "window_end"),  # only one end
        ({"window_start": None}, "window_start"),
        ({"window_start": "2028-01-01T10:00:00+08:00"}, "window_start"),  # next year
        ({"window_start": "tonight"}, "window_start"),
        ({"approach": "reinstall everything"}, "approach"),
        ({"approach": None}, "approach"),
        ({"risk": "x" * 501}, "risk"),
        ({"fault_triggered_at": "2026-11-25T08:00:00+08:00"}, "fault_triggered_at"),  # future
        ({"log_attachments": [999999]}, "log_attachments"),
        ({"log_attachments": ["abc"]}, "log_attachments"),
        ({"log_references": "log\x00line"}, "log_references"),
    ],
)
def test_bad_plan_input_is_a_400_naming_the_field(api, bob, diagnosed, change, field):
    response = put_plan(api, bob, diagnosed, **change)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not WorkPlan.objects.filter(ticket=diagnosed).exists()


def test_a_file_of_another_ticket_is_not_a_log_of_this_one(api, alice, bob, diagnosed):
    other = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    [file] = services.add_attachments(
        other.pk, actor=alice, files=[SimpleUploadedFile("server.log", b"x")]
    )
    response = put_plan(api, bob, diagnosed, log_attachments=[file.pk])
    assert response.status_code == 400
    assert "log_attachments" in response.json()


# --- who and when --------------------------------------------------------------------------------


def test_only_the_handler_records_the_plan(api, alice, carol, bob, erin, tom, diagnosed):
    assert put_plan(api, carol, diagnosed).status_code == 404
    assert put_plan(api, alice, diagnosed).status_code == 403
    assert put_plan(api, erin, diagnosed).status_code == 403  # not the assignee
    assert put_plan(api, tom, diagnosed).status_code == 201  # the tech lead may


@pytest.mark.parametrize("state", [TicketState.SUBMITTED, TicketState.RESOLVED])
def test_a_plan_is_recorded_only_while_the_ticket_is_worked_on(api, alice, bob, tom, state):
    with time_machine.travel(TUESDAY_10, tick=False):
        ticket = make_ticket_in(state, requester=alice, engineer=bob)
    assert put_plan(api, tom, ticket).status_code == 409  # the tech lead may handle any


def test_the_requester_reads_the_plan_without_the_evidence(api, alice, bob, diagnosed):
    # given: a log on an internal note and one from alice, both picked
    note = services.add_message(
        diagnosed.pk,
        actor=bob,
        body="server log",
        internal=True,
        files=[SimpleUploadedFile("app01.log", b"x")],
    )
    [public] = services.add_attachments(
        diagnosed.pk, actor=alice, files=[SimpleUploadedFile("screen.png", b"x")]
    )
    internal = note.attachments.get()
    put_plan(api, bob, diagnosed, log_attachments=[internal.pk, public.pk])

    # when
    hers = api(alice).get(plan_url(diagnosed)).json()
    his = api(bob).get(plan_url(diagnosed)).json()

    # then
    assert hers["approach"] == "restart" and hers["window_end"]
    assert "log_references" not in hers and "log_attachments" not in hers
    assert sorted(his["log_attachments"]) == sorted([internal.pk, public.pk])


def test_no_plan_reads_as_not_recorded(api, alice, diagnosed):
    body = api(alice).get(plan_url(diagnosed)).json()
    assert body["recorded"] is False
    assert body["window_start"] is None


# --- pages ------------------------------------------------------------------------------------


def test_engineer_records_the_plan_from_the_work_view(web, alice, bob, diagnosed):
    # given
    client = web(bob)

    # when: the window typed in the reader's zone (bob's site: Shanghai, the default)
    with time_machine.travel(TUESDAY_10, tick=False):
        response = client.post(
            f"/tickets/{diagnosed.number}/plan/",
            {
                "approach": "rollback",
                "risk": "The printer queue is cleared",
                "window_start": "2026-11-24T20:00",
                "window_end": "2026-11-24T21:00",
            },
        )
        page = client.get(f"/tickets/{diagnosed.number}/").content.decode()

    # then
    assert response.status_code == 302
    plan = WorkPlan.objects.get(ticket=diagnosed)
    assert plan.approach == "rollback"
    assert plan.window_start == sh(2026, 11, 24, 20, 0)
    assert 'id="plan-waiting"' in page
    assert "2026-11-24 20:00" in page
    # the form shows the window again as typed, in the reader's zone
    assert 'name="window_start" id="plan_window_start"' in page
    assert 'value="2026-11-24T20:00"' in page and 'value="2026-11-24T21:00"' in page


def test_the_page_form_names_the_field_of_a_bad_window(web, bob, diagnosed):
    with time_machine.travel(TUESDAY_10, tick=False):
        response = web(bob).post(
            f"/tickets/{diagnosed.number}/plan/",
            {
                "approach": "restart",
                "window_start": "2026-11-24T09:00",
                "window_end": "2026-11-24T10:30",
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The window must start in the future." in page
    assert 'id="plan-form"' in page
    assert 'value="2026-11-24T09:00"' in page  # what was typed, kept for the correction
    assert not WorkPlan.objects.filter(ticket=diagnosed).exists()


def test_requester_sees_the_window_in_her_zone_and_confirms_it(web, api, alice, bob, diagnosed):
    # given: alice works in Urumqi (UTC+6); bob proposes 20:00–21:00 Shanghai time
    site = Site.objects.create(code="urc", name="Urumqi", time_zone="Asia/Urumqi")
    alice.site = site
    alice.save(update_fields=["site"])
    put_plan(api, bob, diagnosed)
    client = web(alice)

    # when
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=1), tick=False):
        page = client.get(f"/tickets/{diagnosed.number}/").content.decode()
        posted = client.post(f"/tickets/{diagnosed.number}/plan/confirm/")
        after = client.get(f"/tickets/{diagnosed.number}/").content.decode()

    # then: her page says 18:00–19:00, and the button confirms it
    assert 'id="plan-window"' in page
    assert "2026-11-24 18:00" in page and "2026-11-24 19:00" in page
    assert f'action="/tickets/{diagnosed.number}/plan/confirm/"' in page
    assert posted.status_code == 302
    assert 'id="plan-confirmed"' in after
    assert "/plan/confirm/" not in after


def test_resolving_before_the_window_is_confirmed_is_allowed(api, alice, bob, diagnosed):
    """A desk does not block an urgent fix on a click: the page warns, resolving works."""
    put_plan(api, bob, diagnosed)
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=2), tick=False):
        response = api(bob).post(
            f"/api/v1/tickets/{diagnosed.number}/resolve/",
            {"solution": "Restarted the OA service"},
            format="json",
        )
    assert response.status_code == 200, response.json()


def test_the_service_report_prints_the_plan(web, api, alice, bob, diagnosed):
    put_plan(api, bob, diagnosed)
    confirm(api, alice, diagnosed)
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=2), tick=False):
        report = web(alice).get(f"/tickets/{diagnosed.number}/report/").content.decode()
        staff = web(bob).get(f"/tickets/{diagnosed.number}/report/").content.decode()
    assert 'id="report-plan"' in report
    assert "2026-11-24 20:00 – 2026-11-24 21:00" in report
    assert PLAN["log_references"] not in report  # evidence: staff only
    assert PLAN["log_references"] in staff
