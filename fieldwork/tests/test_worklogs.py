"""The work log (R4.1): entries validated field by field, public ones read live by the
requester, internal ones kept from them, totals per ticket and per engineer, fixed query
counts whatever the history."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permissions import capabilities
from fieldwork.models import RemoteConsent, WorkLog
from fieldwork.registrations import consents as consent_panels
from fieldwork.registrations import worklogs as worklog_panels
from fieldwork.services import consents, worklogs
from notifications.models import Notification
from tests.clock import sh
from tickets import hooks, services
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

TUESDAY_10 = sh(2026, 11, 24, 10, 0)
INTERNAL = "Internal: admin password of the switch is on the label 5d1f"


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.number}/worklogs/"


def work(**extra):
    return {"body": "Replaced the patch cable", "minutes": 15, "mode": "onsite", **extra}


@pytest.fixture
def worked(alice, bob):
    with time_machine.travel(TUESDAY_10, tick=False):
        return make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)


def log(ticket, actor, **extra):
    fields = {**work(), **extra}
    return worklogs.log_work(ticket.pk, actor=actor, **fields)


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mode", "telepathy"),
        ("mode", ""),
        ("minutes", 0),
        ("minutes", 1441),
        ("minutes", "half an hour"),
        ("minutes", None),
        ("body", ""),
        ("body", "x" * 20_001),
        ("performed_at", "yesterday-ish"),
        ("parts_used", "x" * 501),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, bob, worked, field, value):
    response = api(bob).post(url(worked), work(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not WorkLog.objects.exists()


def test_work_cannot_be_logged_in_the_future_or_before_the_ticket_was_filed(api, bob, worked):
    # given
    now = TUESDAY_10 + dt.timedelta(hours=2)

    # when
    with time_machine.travel(now, tick=False):
        future = api(bob).post(
            url(worked), work(performed_at=(now + dt.timedelta(hours=1)).isoformat()), format="json"
        )
        before = api(bob).post(
            url(worked),
            work(performed_at=(TUESDAY_10 - dt.timedelta(minutes=1)).isoformat()),
            format="json",
        )
        earlier_today = api(bob).post(
            url(worked), work(performed_at=(now - dt.timedelta(hours=1)).isoformat()), format="json"
        )

    # then
    assert future.status_code == 400 and "performed_at" in future.json()
    assert before.status_code == 400 and "performed_at" in before.json()
    assert earlier_today.status_code == 201
    assert dt.datetime.fromisoformat(earlier_today.json()["performed_at"]) == now - dt.timedelta(
        hours=1
    )


def test_performed_at_defaults_to_now(api, bob, worked):
    moment = TUESDAY_10 + dt.timedelta(minutes=42)
    with time_machine.travel(moment, tick=False):
        response = api(bob).post(url(worked), work(), format="json")
    assert dt.datetime.fromisoformat(response.json()["performed_at"]) == moment


def test_the_author_and_consent_come_from_the_request_not_the_body(api, bob, erin, worked):
    response = api(bob).post(
        url(worked),
        work(author=erin.username, author_id=erin.pk, created_at="2000-01-01T00:00:00Z"),
        format="json",
    )
    assert response.status_code == 201
    entry = WorkLog.objects.get()
    assert entry.author == bob
    assert entry.created_at.year == 2026


@pytest.mark.parametrize("state", [TicketState.SUBMITTED, TicketState.VERIFIED])
def test_work_is_logged_only_while_the_ticket_is_worked(api, alice, bob, tom, state):
    ticket = make_ticket_in(state, requester=alice, engineer=bob)
    response = api(tom).post(url(ticket), work(), format="json")
    assert response.status_code == 409


def test_work_may_be_logged_on_a_resolved_ticket(api, alice, bob):
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    assert api(bob).post(url(ticket), work(), format="json").status_code == 201


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("dave", 403), ("carol", 404)])
def test_only_engineers_log_work(request, api, worked, persona, status):
    response = api(request.getfixturevalue(persona)).post(url(worked), work(), format="json")
    assert response.status_code == status


def test_another_engineer_may_log_their_part(api, erin, worked):
    assert api(erin).post(url(worked), work(), format="json").status_code == 201


# --- what each reader sees -------------------------------------------------------------


def test_the_requester_reads_only_public_entries_and_their_total(api, alice, bob, worked):
    # given
    log(worked, bob, body="Checked the switch port", minutes=10, is_public=True)
    log(worked, bob, body=INTERNAL, minutes=25, is_public=False)
    log(worked, bob, body="Replaced the cable", minutes=5, is_public=True)

    # when
    mine = api(alice).get(url(worked)).json()
    staff = api(bob).get(url(worked)).json()

    # then
    assert [e["body"] for e in mine["results"]] == ["Checked the switch port", "Replaced the cable"]
    assert (mine["count"], mine["total_minutes"]) == (2, 15)
    assert INTERNAL not in str(mine)
    assert (staff["count"], staff["total_minutes"]) == (3, 40)
    assert {e["mode"] for e in staff["results"]} == {"onsite"}


def test_the_timeline_keeps_internal_entries_internal(api, web, alice, bob, worked):
    log(worked, bob, body="Public step", is_public=True)
    log(worked, bob, body=INTERNAL)
    requester = api(alice).get(f"/api/v1/tickets/{worked.number}/events/").json()
    staff = api(bob).get(f"/api/v1/tickets/{worked.number}/events/").json()
    assert [e["kind"] for e in requester].count("work_logged") == 1
    assert INTERNAL not in str(requester)
    assert [e["kind"] for e in staff].count("work_logged") == 2
    page = web(alice).get(f"/tickets/{worked.number}/")
    assert INTERNAL not in page.content.decode()


def test_a_public_entry_is_an_update_the_requester_hears_of(alice, bob, worked):
    # given
    heard = []

    def receiver(sender, ticket, actor, at, **kwargs):
        heard.append((ticket.pk, actor.pk, at))

    hooks.public_update.connect(receiver)
    try:
        # when
        moment = TUESDAY_10 + dt.timedelta(minutes=30)
        with time_machine.travel(moment, tick=False):
            log(worked, bob, is_public=True)
            log(worked, bob, body=INTERNAL)
    finally:
        hooks.public_update.disconnect(receiver)

    # then: one update (the public one), the requester's bell only (no e-mail), and the
    # ticket's last activity is the public entry
    assert heard == [(worked.pk, bob.pk, moment)]
    rows = Notification.objects.filter(recipient=alice, kind="work_progress")
    assert [r.channel for r in rows] == ["in_app"]
    assert Ticket.objects.get(pk=worked.pk).last_activity_at == moment


def test_the_live_progress_partial_shows_a_new_public_entry(web, alice, bob, worked):
    # given: the requester's page, polling its progress list
    page = web(alice).get(f"/tickets/{worked.number}/").content.decode()
    assert 'id="work-progress-refresh"' in page
    assert 'hx-trigger="every 15s, refresh"' in page

    # when: bob logs a public step and a private note
    log(worked, bob, body="Resetting the network adapter, about 30 s", is_public=True)
    log(worked, bob, body=INTERNAL)
    partial = web(alice).get(f"/tickets/{worked.number}/worklog/progress/", HTTP_HX_REQUEST="true")

    # then
    html = partial.content.decode()
    assert partial.status_code == 200
    assert "Resetting the network adapter, about 30 s" in html
    assert INTERNAL not in html
    assert 'id="work-progress-refresh"' in html  # keeps polling while being worked
    assert partial["Cache-Control"] == "private, no-store"


def test_progress_stops_polling_once_the_ticket_is_done(web, alice, bob):
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    log(ticket, bob, body="Swapped the toner", is_public=True)
    services.verify_ticket(ticket.pk, actor=alice)
    html = web(alice).get(f"/tickets/{ticket.number}/worklog/progress/").content.decode()
    assert "Swapped the toner" in html
    assert "work-progress-refresh" not in html


def test_the_progress_partial_is_hidden_from_other_requesters(web, carol, worked):
    assert web(carol).get(f"/tickets/{worked.number}/worklog/progress/").status_code == 404


def test_no_progress_panel_before_the_ticket_is_accepted(web, alice):
    ticket = make_ticket(requester=alice)
    assert "work-progress" not in web(alice).get(f"/tickets/{ticket.number}/").content.decode()


# --- the work panel and its form ---------------------------------------------------------


def test_the_engineer_logs_work_on_the_page_and_sees_the_total(web, bob, worked):
    # when
    response = web(bob).post(
        f"/tickets/{worked.number}/worklog/",
        {"body": "Cleaned the fan", "minutes": "20", "mode": "onsite", "is_public": "on"},
    )
    web(bob).post(
        f"/tickets/{worked.number}/worklog/",
        {"body": "Ordered a fan", "minutes": "70", "mode": "phone", "parts_used": "CPU fan"},
    )
    page = web(bob).get(f"/tickets/{worked.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then
    assert response.status_code == 302
    assert response["Location"].endswith("#work-log")
    assert 'data-minutes="90"' in page
    assert "1 h 30 min in 2 entries" in page
    assert "Cleaned the fan" in page and "CPU fan" in page
    entry = WorkLog.objects.get(body="Cleaned the fan")
    assert (entry.minutes, entry.mode, entry.is_public) == (20, "onsite", True)


def test_remote_work_without_consent_on_the_page_shows_the_error_beside_mode(web, bob, worked):
    response = web(bob).post(
        f"/tickets/{worked.number}/worklog/",
        {"body": "Connected remotely", "minutes": "5", "mode": "remote"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Remote work needs the requester&#x27;s consent" in html
    assert "Connected remotely" in html  # what was typed is kept
    assert not WorkLog.objects.exists()


def test_a_bad_minute_count_on_the_page_is_a_field_error(web, bob, worked):
    response = web(bob).post(
        f"/tickets/{worked.number}/worklog/", {"body": "x", "minutes": "0", "mode": "onsite"}
    )
    assert response.status_code == 400
    assert 'id="worklog_minutes"' in response.content.decode()
    assert "is-invalid" in response.content.decode()


def test_the_requester_has_no_work_log_form(web, alice, worked):
    html = web(alice).get(f"/tickets/{worked.number}/").content.decode()
    assert 'id="worklog-form"' not in html
    assert 'id="remote-session"' not in html


# --- time per engineer -------------------------------------------------------------------


@pytest.fixture
def month_of_work(alice, bob, erin, worked):
    """bob 15 + 30 minutes and erin 45 in November; bob 60 in October (another ticket)."""
    with time_machine.travel(sh(2026, 10, 20, 9, 0), tick=False):
        october = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
        log(october, bob, minutes=60)
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=1), tick=False):
        log(worked, bob, minutes=15)
        log(worked, bob, minutes=30, is_public=True)
        log(worked, erin, minutes=45)


PERIOD = "/tickets/worklog/engineers/?from=2026-11-01&to=2026-11-30"


def test_leads_and_managers_see_everyones_time_in_the_period(web, tom, dave, month_of_work):
    for person in (tom, dave):
        html = web(person).get(PERIOD).content.decode()
        assert 'data-engineer="bob"' in html and 'data-engineer="erin"' in html
        assert html.count("data-minutes>45<") == 2  # bob 15 + 30, erin 45; October left out
        assert 'id="own-time-only"' not in html


def test_an_engineer_sees_their_own_time_only(web, bob, month_of_work):
    html = web(bob).get(PERIOD).content.decode()
    assert 'data-engineer="bob"' in html
    assert 'data-engineer="erin"' not in html
    assert 'id="own-time-only"' in html
    october = web(bob).get("/tickets/worklog/engineers/?from=2026-10-01&to=2026-10-31")
    assert "data-minutes>60<" in october.content.decode()


def test_requesters_may_not_see_logged_time(web, alice):
    assert web(alice).get("/tickets/worklog/engineers/").status_code == 403


@pytest.mark.parametrize(
    "query", ["from=2026-11-30&to=2026-11-01", "from=someday", "from=2024-01-01&to=2026-01-01"]
)
def test_a_bad_period_is_a_field_error(web, tom, query):
    response = web(tom).get(f"/tickets/worklog/engineers/?{query}")
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()


def test_the_default_period_is_this_month(web, bob, worked):
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=1), tick=False):
        log(worked, bob, minutes=12)
        html = web(bob).get("/tickets/worklog/engineers/").content.decode()
    assert 'value="2026-11-01"' in html and 'value="2026-11-24"' in html
    assert "data-minutes>12<" in html


# --- fixed query counts -----------------------------------------------------------------


def _queries(client, path, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200, path
    return len(captured)


def _history(ticket, bob, alice, n: int) -> None:
    for i in range(n):
        log(ticket, bob, body=f"Step {i}", minutes=1 + i, is_public=i % 2 == 0)
        RemoteConsent.objects.create(
            ticket=ticket,
            requested_by=bob,
            tool="TeamViewer",
            purpose=f"Session {i}",
            duration_minutes=30,
            state="refused",
            requested_at=ticket.submitted_at,
            answered_by=alice,
            answered_at=ticket.submitted_at,
        )


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("bob", "/tickets/{number}/"),
        ("alice", "/tickets/{number}/"),
        ("alice", "/tickets/{number}/worklog/progress/"),
        ("bob", "/api/v1/tickets/{number}/worklogs/"),
        ("alice", "/api/v1/tickets/{number}/worklogs/"),
        ("bob", "/api/v1/tickets/{number}/consents/"),
        ("tom", "/tickets/worklog/engineers/?from=2026-11-01&to=2026-11-30"),
    ],
)
def test_pages_run_the_same_queries_for_3_and_30_entries(
    request, web, api, alice, bob, erin, persona, path
):
    # given: two tickets, 3 and 30 entries (and as many consents)
    counts = []
    for n in (3, 30):
        with time_machine.travel(TUESDAY_10, tick=False):
            ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
            _history(ticket, bob, alice, n)
            log(ticket, erin, minutes=5)  # a second engineer
        user = request.getfixturevalue(persona)
        client = api(user) if path.startswith("/api/") else web(user)
        with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=1), tick=False):
            # once to warm what a process or session reads once (caches, last login, unread)
            client.get(path.format(number=ticket.number))
            counts.append(_queries(client, path.format(number=ticket.number)))

    # then
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-40T99:99"])
def test_an_impossible_time_on_the_page_is_a_field_error(web, bob, worked, moment):
    response = web(bob).post(
        f"/tickets/{worked.number}/worklog/",
        {"body": "x", "minutes": "5", "mode": "onsite", "performed_at": moment},
    )
    assert response.status_code == 400
    assert 'id="worklog_performed_at"' in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not WorkLog.objects.exists()


@pytest.mark.parametrize(
    ("panel", "persona", "budget"),
    [
        (worklog_panels.work_panel, "bob", 1),  # the newest entries with the totals
        (worklog_panels.progress_panel, "alice", 2),  # the newest public entries, their total
        (consent_panels.work_panel, "bob", 1),  # the latest consents
        (consent_panels.requester_panel, "alice", 1),  # the open ones
    ],
)
def test_each_panel_runs_a_fixed_budget_of_queries(
    request, django_assert_num_queries, alice, bob, worked, panel, persona, budget
):
    # given: a long history
    _history(worked, bob, alice, 40)
    user = request.getfixturevalue(persona)
    ticket = Ticket.objects.select_related("requester", "assignee").get(pk=worked.pk)
    capabilities(user)  # the roles, read once per request before any panel

    # then
    with django_assert_num_queries(budget):
        panel(ticket, user)


def test_the_service_report_lists_the_grant_and_the_work_with_its_total(web, api, alice, bob):
    # given
    with time_machine.travel(TUESDAY_10, tick=False):
        ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
        consent = consents.request_consent(
            ticket.pk, actor=bob, tool="ToDesk", purpose="Update the driver", duration_minutes=20
        )
        consents.grant_consent(ticket.pk, consent.pk, actor=alice)
        log(ticket, bob, body="Updated the driver", minutes=12, mode="remote", is_public=True)
        log(ticket, bob, body=INTERNAL, minutes=30)

    # when
    mine = web(alice).get(f"/tickets/{ticket.number}/report/", HTTP_ACCEPT_LANGUAGE="en")
    staff = web(bob).get(f"/tickets/{ticket.number}/report/", HTTP_ACCEPT_LANGUAGE="en")

    # then
    html = mine.content.decode()
    assert "ToDesk" in html and "Update the driver" in html and "2026-11-24 10:00 – 10:20" in html
    assert "Updated the driver" in html and INTERNAL not in html
    assert "Total time</th><td>12 min" in html.replace("\n", "")
    assert INTERNAL in staff.content.decode()
