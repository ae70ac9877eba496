"""Remote-session consent (R3.1): asked by the engineer, decided by the requester alone,
valid for the time asked, revocable; remote work only under a grant valid at that moment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fieldwork.models import RemoteConsent, WorkLog
from notifications.models import Notification
from tests.clock import sh
from tickets import services
from tickets.choices import TicketState
from tickets.models import TicketEvent
from tickets.tests.factories import DIAGNOSIS, make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

TUESDAY_10 = sh(2026, 11, 24, 10, 0)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # the messages read in English
ASK = {"tool": "TeamViewer", "purpose": "Reset the network adapter", "duration_minutes": 30}


def consents_url(ticket, *rest) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/api/v1/tickets/{ticket.number}/consents/{tail}"


def worklogs_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.number}/worklogs/"


def remote_work(**extra):
    return {"body": "Reset the adapter", "minutes": 5, "mode": "remote", **extra}


def told(person, kind) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind, channel="in_app"))


@pytest.fixture
def worked(alice, bob):
    """alice's ticket, accepted by bob, filed at Tuesday 10:00."""
    with time_machine.travel(TUESDAY_10, tick=False):
        return make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)


def ask(api, engineer, ticket, **overrides):
    return api(engineer).post(consents_url(ticket), {**ASK, **overrides}, format="json")


# --- the whole story -----------------------------------------------------------------


def test_request_grant_remote_work_expiry_then_remote_work_refused(api, alice, bob, worked):
    # given: bob asks at 10:05
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=5), tick=False):
        asked = ask(api, bob, worked)
    assert asked.status_code == 201, asked.json()
    consent_id = asked.json()["id"]
    assert asked.json()["status"] == "requested"
    assert asked.json()["granted_at"] is None
    assert len(told(alice, "consent_requested")) == 1

    # when: alice grants at 10:10
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=10), tick=False):
        granted = api(alice).post(consents_url(worked, consent_id, "grant"), {}, format="json")

    # then: granted for 30 minutes from now, bob is told
    assert granted.status_code == 200, granted.json()
    body = granted.json()
    assert body["status"] == "granted"
    assert dt.datetime.fromisoformat(body["granted_at"]) == TUESDAY_10 + dt.timedelta(minutes=10)
    assert dt.datetime.fromisoformat(body["expires_at"]) == TUESDAY_10 + dt.timedelta(minutes=40)
    assert len(told(bob, "consent_granted")) == 1

    # when: bob logs remote work at 10:20, inside the grant
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=20), tick=False):
        logged = api(bob).post(worklogs_url(worked), remote_work(), format="json")

    # then: accepted and linked to the grant
    assert logged.status_code == 201, logged.json()
    assert logged.json()["consent"] == consent_id

    # when: the grant's end passes (no sweep runs)
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=40), tick=False):
        listed = api(alice).get(consents_url(worked))
        refused = api(bob).post(worklogs_url(worked), remote_work(), format="json", **EN)
        earlier = api(bob).post(
            worklogs_url(worked),
            remote_work(performed_at=(TUESDAY_10 + dt.timedelta(minutes=39)).isoformat()),
            format="json",
        )

    # then: it reads as expired, remote work now is refused naming the mode, and work done
    # while it ran may still be logged afterwards
    assert listed.json()[0]["status"] == "expired"
    assert refused.status_code == 400
    assert "mode" in refused.json()
    assert "consent" in refused.json()["mode"][0]
    assert earlier.status_code == 201
    assert WorkLog.objects.filter(ticket=worked).count() == 2
    kinds = list(worked.events.values_list("kind", flat=True))
    assert kinds.count("consent_requested") == 1
    assert kinds.count("consent_granted") == 1
    assert kinds.count("work_logged") == 2


def test_remote_work_without_any_consent_is_refused_with_a_clear_message(api, bob, worked):
    # when
    response = api(bob).post(worklogs_url(worked), remote_work(), format="json", **EN)

    # then
    assert response.status_code == 400
    assert "ask for remote access" in response.json()["mode"][0]
    assert not WorkLog.objects.exists()


def test_other_modes_need_no_consent(api, bob, worked):
    # when
    response = api(bob).post(worklogs_url(worked), remote_work(mode="phone"), format="json")

    # then
    assert response.status_code == 201
    assert response.json()["consent"] is None


def test_refusal_records_the_reason_and_tells_the_engineer(api, alice, bob, worked):
    # given
    consent_id = ask(api, bob, worked).json()["id"]

    # when
    response = api(alice).post(
        consents_url(worked, consent_id, "refuse"), {"reason": "In a meeting"}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    assert response.json()["refusal_reason"] == "In a meeting"
    assert response.json()["granted_at"] is None
    assert len(told(bob, "consent_refused")) == 1
    event = worked.events.get(kind="consent_refused")
    assert event.data["reason"] == "In a meeting"
    assert event.is_internal is False
    # a refused request cannot be granted afterwards, and remote work stays refused
    late = api(alice).post(consents_url(worked, consent_id, "grant"), {}, format="json")
    assert late.status_code == 409
    work = api(bob).post(worklogs_url(worked), remote_work(), format="json")
    assert work.status_code == 400


def test_refusal_without_a_reason_is_fine(api, alice, bob, worked):
    consent_id = ask(api, bob, worked).json()["id"]
    response = api(alice).post(consents_url(worked, consent_id, "refuse"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "refused"


def test_revocation_mid_session_refuses_later_work_and_keeps_earlier_work(api, alice, bob, worked):
    # given: granted at 10:00 for an hour
    with time_machine.travel(TUESDAY_10, tick=False):
        consent_id = ask(api, bob, worked, duration_minutes=60).json()["id"]
        api(alice).post(consents_url(worked, consent_id, "grant"), {}, format="json")

    # when: alice stops it at 10:20
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=20), tick=False):
        revoked = api(alice).post(consents_url(worked, consent_id, "revoke"), {}, format="json")
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=30), tick=False):
        before = api(bob).post(
            worklogs_url(worked),
            remote_work(performed_at=(TUESDAY_10 + dt.timedelta(minutes=10)).isoformat()),
            format="json",
        )
        after = api(bob).post(
            worklogs_url(worked),
            remote_work(performed_at=(TUESDAY_10 + dt.timedelta(minutes=25)).isoformat()),
            format="json",
            **EN,
        )
        again = api(alice).post(consents_url(worked, consent_id, "revoke"), {}, format="json")

    # then
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert dt.datetime.fromisoformat(revoked.json()["revoked_at"]) == TUESDAY_10 + dt.timedelta(
        minutes=20
    )
    assert before.status_code == 201, before.json()
    assert after.status_code == 400
    assert "revoked" in after.json()["mode"][0]
    assert again.status_code == 409
    assert len(told(bob, "consent_revoked")) == 1
    assert worked.events.filter(kind="consent_revoked").count() == 1


# --- who may decide ------------------------------------------------------------------


def test_a_requester_cannot_grant_on_someone_elses_ticket(api, alice, bob, carol, worked):
    # given: a request on alice's ticket, and one on carol's own ticket
    consent_id = ask(api, bob, worked).json()["id"]
    with time_machine.travel(TUESDAY_10, tick=False):
        carols = make_ticket_in(TicketState.ACCEPTED, requester=carol, engineer=bob)

    # when
    on_alices = [
        api(carol).post(consents_url(worked, consent_id, action), {}, format="json")
        for action in ("grant", "refuse", "revoke")
    ]
    # alice's consent named under carol's own ticket
    crossed = api(carol).post(consents_url(carols, consent_id, "grant"), {}, format="json")
    listed = api(carol).get(consents_url(worked))

    # then
    assert [r.status_code for r in on_alices] == [404, 404, 404]
    assert crossed.status_code == 404
    assert listed.status_code == 404
    assert RemoteConsent.objects.get(pk=consent_id).state == "requested"


@pytest.mark.parametrize("persona", ["bob", "erin", "tom", "dave", "admin"])
def test_staff_cannot_decide_for_the_requester(request, api, alice, bob, worked, persona):
    # given
    staff = request.getfixturevalue(persona)
    consent_id = ask(api, bob, worked).json()["id"]

    # when
    answers = [
        api(staff).post(consents_url(worked, consent_id, action), {}, format="json").status_code
        for action in ("grant", "refuse")
    ]
    RemoteConsent.objects.filter(pk=consent_id).update(state="granted")  # as if alice had
    revoke = api(staff).post(consents_url(worked, consent_id, "revoke"), {}, format="json")

    # then
    assert answers == [403, 403]
    assert revoke.status_code == 403
    assert not worked.events.filter(kind__in=["consent_granted", "consent_refused"]).exists()


FORGED = {
    "state": "granted",
    "status": "granted",
    "granted_at": "2026-11-24T10:00:00+08:00",
    "expires_at": "2026-11-24T18:00:00+08:00",
    "answered_by": 1,
    "answered_at": "2026-11-24T10:00:00+08:00",
    "requested_by": 1,
}


def test_an_engineer_cannot_forge_a_grant_through_the_request(api, alice, bob, worked):
    # when: every decision field sent along with the request, to the API and the page
    response = api(bob).post(consents_url(worked), {**ASK, **FORGED}, format="json")

    # then: a plain request, nothing granted, remote work refused
    assert response.status_code == 201
    assert response.json()["status"] == "requested"
    consent = RemoteConsent.objects.get(pk=response.json()["id"])
    assert (consent.state, consent.granted_at, consent.expires_at) == ("requested", None, None)
    assert consent.answered_by is None
    assert consent.requested_by == bob
    work = api(bob).post(worklogs_url(worked), remote_work(), format="json")
    assert work.status_code == 400


def test_an_engineer_cannot_forge_a_grant_through_the_page_form(web, alice, bob, worked):
    # when
    response = web(bob).post(f"/tickets/{worked.number}/consents/", {**ASK, **FORGED})

    # then
    assert response.status_code == 302
    consent = RemoteConsent.objects.get(ticket=worked)
    assert (consent.state, consent.granted_at, consent.answered_by) == ("requested", None, None)


def test_an_engineer_cannot_forge_a_grant_through_the_work_log(api, bob, worked):
    # given: a request waiting (not granted)
    consent_id = ask(api, bob, worked).json()["id"]

    # when: the entry names the consent itself
    response = api(bob).post(worklogs_url(worked), remote_work(consent=consent_id), format="json")

    # then
    assert response.status_code == 400
    assert "mode" in response.json()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_endpoint_edits_a_consent(api, alice, bob, worked, method):
    consent_id = ask(api, bob, worked).json()["id"]
    for url in (consents_url(worked), *(consents_url(worked, consent_id, a) for a in ("grant",))):
        response = getattr(api(bob), method)(url, FORGED, format="json")
        assert response.status_code == 405, (url, response.status_code)
    assert RemoteConsent.objects.get(pk=consent_id).state == "requested"


def test_staff_pages_cannot_grant_either(web, bob, tom, worked, api):
    consent_id = ask(api, bob, worked).json()["id"]
    for person in (bob, tom):
        response = web(person).post(f"/tickets/{worked.number}/consents/{consent_id}/grant/")
        assert response.status_code == 403
    assert RemoteConsent.objects.get(pk=consent_id).state == "requested"


# --- asking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_minutes", 4),
        ("duration_minutes", 481),
        ("duration_minutes", "soon"),
        ("tool", ""),
        ("tool", "x" * 101),
        ("purpose", ""),
        ("purpose", "x" * 501),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(api, bob, worked, field, value):
    response = ask(api, bob, worked, **{field: value})
    assert response.status_code == 400
    assert field in response.json()
    assert not RemoteConsent.objects.exists()


def test_a_tool_is_one_line(api, bob, worked):
    response = ask(api, bob, worked, tool="TeamViewer\r\nBcc: x@example.com")
    assert response.status_code == 400
    assert "tool" in response.json()


def test_only_the_engineer_handling_the_ticket_asks(api, alice, bob, erin, tom, worked):
    assert ask(api, erin, worked).status_code == 403  # another engineer
    assert ask(api, alice, worked).status_code == 403  # the requester
    assert ask(api, tom, worked).status_code == 201  # a tech lead


def test_asking_needs_a_ticket_being_worked_and_no_request_waiting(api, alice, bob, tom, worked):
    # given
    with time_machine.travel(TUESDAY_10, tick=False):
        submitted = make_ticket(requester=alice)
        closed = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)

    # then
    assert ask(api, tom, submitted).status_code == 409  # not accepted yet
    assert ask(api, bob, closed).status_code == 409
    assert ask(api, bob, worked).status_code == 201
    assert ask(api, bob, worked).status_code == 409  # one waiting already


def test_a_waiting_request_cannot_be_granted_once_the_ticket_is_resolved(api, alice, bob, worked):
    # given
    consent_id = ask(api, bob, worked).json()["id"]
    services.diagnose_ticket(worked.pk, actor=bob, **DIAGNOSIS)
    services.resolve_ticket(worked.pk, actor=bob, solution="Replaced the cable")

    # when
    response = api(alice).post(consents_url(worked, consent_id, "grant"), {}, format="json")

    # then
    assert response.status_code == 409


def test_the_timeline_shows_every_step_to_the_requester(api, alice, bob, worked):
    # given
    consent_id = ask(api, bob, worked).json()["id"]
    api(alice).post(consents_url(worked, consent_id, "grant"), {}, format="json")
    api(alice).post(consents_url(worked, consent_id, "revoke"), {}, format="json")

    # when
    events = api(alice).get(f"/api/v1/tickets/{worked.number}/events/").json()

    # then
    kinds = [e["kind"] for e in events if e["kind"].startswith("consent_")]
    assert kinds == ["consent_requested", "consent_granted", "consent_revoked"]
    granted = TicketEvent.objects.get(ticket=worked, kind="consent_granted")
    assert granted.data["tool"] == "TeamViewer"
    assert "expires_at" in granted.data


# --- the pages -------------------------------------------------------------------------


def test_the_requester_sees_what_tool_why_and_how_long_and_grants_on_the_page(
    web, api, alice, bob, worked
):
    # given
    consent_id = ask(api, bob, worked, duration_minutes=90).json()["id"]
    page = web(alice)

    # when
    shown = page.get(f"/tickets/{worked.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    granted = page.post(f"/tickets/{worked.number}/consents/{consent_id}/grant/")
    after = page.get(f"/tickets/{worked.number}/").content.decode()

    # then
    assert 'id="consent-grant"' in shown and 'id="consent-refuse"' in shown
    assert "TeamViewer" in shown and "Reset the network adapter" in shown
    assert "1 h 30 min" in shown
    assert granted.status_code == 302
    assert RemoteConsent.objects.get(pk=consent_id).state == "granted"
    assert 'id="consent-revoke"' in after and 'id="consent-grant"' not in after


def test_the_requester_refuses_and_revokes_on_the_page(web, api, alice, bob, worked):
    first = ask(api, bob, worked).json()["id"]
    page = web(alice)
    refused = page.post(f"/tickets/{worked.number}/consents/{first}/refuse/", {"reason": "Not now"})
    assert refused.status_code == 302
    assert RemoteConsent.objects.get(pk=first).refusal_reason == "Not now"
    second = ask(api, bob, worked).json()["id"]
    page.post(f"/tickets/{worked.number}/consents/{second}/grant/")
    revoked = page.post(f"/tickets/{worked.number}/consents/{second}/revoke/")
    assert revoked.status_code == 302
    assert RemoteConsent.objects.get(pk=second).state == "revoked"


def test_the_engineer_asks_on_the_page_and_a_bad_duration_shows_beside_the_field(web, bob, worked):
    # when
    bad = web(bob).post(f"/tickets/{worked.number}/consents/", {**ASK, "duration_minutes": 600})
    good = web(bob).post(f"/tickets/{worked.number}/consents/", ASK)
    page = web(bob).get(f"/tickets/{worked.number}/").content.decode()

    # then
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="consent_duration_minutes"' in html and "is-invalid" in html
    assert good.status_code == 302
    assert 'data-status="requested"' in page
    assert 'id="consent-request"' not in page  # one request at a time


def test_the_engineer_sees_the_grant_with_its_expiry(web, api, alice, bob, worked):
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=5), tick=False):
        consent_id = ask(api, bob, worked).json()["id"]
        api(alice).post(consents_url(worked, consent_id, "grant"), {}, format="json")
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=15), tick=False):
        running = web(bob).get(f"/tickets/{worked.number}/", HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=36), tick=False):
        ended = web(bob).get(f"/tickets/{worked.number}/").content.decode()
    assert 'data-status="granted"' in running.content.decode()
    assert "until 10:35 (20 min left)" in running.content.decode()
    assert 'data-status="expired"' in ended
