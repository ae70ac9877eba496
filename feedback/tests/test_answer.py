"""The requester answers her survey: 1–5 on speed, quality and attitude, a comment and
suggestions. The answer closes a verified ticket (as the system, on the timeline); she may
change it for 7 calendar days; nobody else answers; a rating of 2 or less tells the tech
leads, once per survey. Through the service and ``POST /api/v1/tickets/{number}/survey/``.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from accounts.models import Site
from feedback import services
from feedback.choices import SurveyEntry, SurveyNotice
from feedback.models import Survey
from notifications.models import Notification
from tests.clock import sh
from tickets import services as ticket_services
from tickets.choices import ClosedAs, EventKind, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound, ValidationError
from tickets.models import Ticket, TicketEvent
from tickets.services import watchers
from tickets.tests.factories import make_ticket_in, snapshot

from .factories import GOOD, POOR, answer, at, told, verified_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

VERIFIED_AT = sh(2026, 11, 23, 10, 0)  # a Monday
ANSWERED_AT = sh(2026, 11, 23, 11, 0)
LOW = SurveyNotice.LOW_RATING


@pytest.fixture(autouse=True)
def _english():
    """Refusals are read in English here (the desk's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    """The conftest's ``api(user)``, answered in English."""

    def make(user):
        client = api(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def ticket(alice, bob) -> Ticket:
    return verified_ticket(alice, bob, VERIFIED_AT)


def kinds(ticket: Ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True)
    )


def post(api, user, ticket: Ticket, when: dt.datetime, **body):
    with time_machine.travel(when, tick=False):
        return api(user).post(f"/api/v1/tickets/{ticket.number}/survey/", body, format="json")


# --- answering closes the ticket ---------------------------------------------------------------


def test_answering_closes_the_verified_ticket_as_the_system(ticket, alice):
    # when
    survey, first = answer(ticket, alice, ANSWERED_AT, suggestions="A video on the toner")

    # then: the answer is kept whole, the time-out cleared
    assert first is True
    survey.refresh_from_db()
    assert (survey.speed, survey.quality, survey.attitude) == (5, 4, 5)
    assert survey.comment == "Fast and friendly"
    assert survey.suggestions == "A video on the toner"
    assert survey.answered_at == survey.updated_at == ANSWERED_AT
    assert survey.close_at is None
    # the ticket is closed as completed, by the system, right after her answer
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.state, fresh.closed_as, fresh.closed_at) == (
        TicketState.CLOSED,
        ClosedAs.COMPLETED,
        ANSWERED_AT,
    )
    assert kinds(ticket)[-2:] == [SurveyEntry.ANSWERED, EventKind.CLOSED]
    closed, answered = TicketEvent.objects.filter(ticket=ticket).order_by("-pk")[:2]
    assert answered.actor == alice and not answered.is_internal
    assert answered.data == {"speed": 5, "quality": 4, "attitude": 5}
    assert closed.actor is None
    assert (closed.from_state, closed.to_state) == (TicketState.VERIFIED, TicketState.CLOSED)


def test_api_first_answer_is_201_and_closes_the_ticket(api, ticket, alice):
    # when
    response = post(api, alice, ticket, ANSWERED_AT, speed=4, quality=5, attitude=5, comment="")

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["speed"], body["quality"], body["attitude"]) == (4, 5, 5)
    assert body["suggestions"] == ""
    assert body["answered"] is True
    assert body["ticket"]["state"] == TicketState.CLOSED
    assert body["editable_until"].startswith("2026-11-30T")
    assert body["accepts_answers"] is True


def test_answering_a_closed_ticket_leaves_it_closed(ticket, alice, bob):
    # given: bob closed the verified ticket before she answered
    at(sh(2026, 11, 23, 10, 30), ticket_services.close_ticket, ticket.pk, actor=bob)

    # when
    answer(ticket, alice, ANSWERED_AT)

    # then: one closing only, bob's
    assert kinds(ticket).count(EventKind.CLOSED) == 1
    assert Ticket.objects.get(pk=ticket.pk).closed_at == sh(2026, 11, 23, 10, 30)
    assert Survey.objects.get(ticket=ticket).answered_at == ANSWERED_AT


# --- the 7-day edit window ---------------------------------------------------------------------


def test_she_changes_her_answer_within_seven_days(api, ticket, alice):
    # given
    answer(ticket, alice, ANSWERED_AT)

    # when: a minute before seven days are up
    response = post(
        api,
        alice,
        ticket,
        ANSWERED_AT + dt.timedelta(days=7, minutes=-1),
        speed=3,
        quality=4,
        attitude=5,
        comment="On second thought: slow reply",
    )

    # then: 200, changed; the first answer's time stays
    assert response.status_code == 200, response.json()
    survey = Survey.objects.get(ticket=ticket)
    assert survey.speed == 3 and survey.comment == "On second thought: slow reply"
    assert survey.answered_at == ANSWERED_AT
    assert survey.updated_at == ANSWERED_AT + dt.timedelta(days=7, minutes=-1)
    change = TicketEvent.objects.get(ticket=ticket, kind=SurveyEntry.CHANGED)
    assert change.data["before"]["speed"] == 5 and change.data["speed"] == 3


@pytest.mark.parametrize(
    "later",
    [dt.timedelta(days=7), dt.timedelta(days=7, hours=2)],
    ids=["seven-days-to-the-minute", "day-8"],
)
def test_a_change_after_seven_days_is_refused_and_nothing_changes(api, ticket, alice, later):
    # given
    answer(ticket, alice, ANSWERED_AT)
    before = snapshot(ticket)

    # when
    response = post(api, alice, ticket, ANSWERED_AT + later, **{**GOOD, "speed": 1})

    # then: 409 saying until when it could be changed
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Answers can be changed for 7 days after the first answer; "
        "that time ended on 2026-11-30 11:00."
    )
    assert Survey.objects.get(ticket=ticket).speed == 5
    assert snapshot(ticket) == before


def test_an_unchanged_answer_records_nothing(ticket, alice):
    answer(ticket, alice, ANSWERED_AT)
    count = TicketEvent.objects.filter(ticket=ticket).count()

    _survey, first = answer(ticket, alice, ANSWERED_AT + dt.timedelta(hours=1))

    assert first is False
    assert TicketEvent.objects.filter(ticket=ticket).count() == count
    assert Survey.objects.get(ticket=ticket).updated_at == ANSWERED_AT


# --- nobody else answers; no survey, no answer -------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "tom", "dave", "admin"])
def test_staff_may_not_answer_for_her(request, api, ticket, who):
    user = request.getfixturevalue(who)
    before = snapshot(ticket)

    response = post(api, user, ticket, ANSWERED_AT, **GOOD)

    assert response.status_code == 403
    assert snapshot(ticket) == before
    assert Survey.objects.get(ticket=ticket).answered_at is None


def test_another_requester_does_not_learn_the_ticket_exists(api, ticket, carol):
    response = post(api, carol, ticket, ANSWERED_AT, **GOOD)
    assert response.status_code == 404
    with pytest.raises(TicketNotFound):
        answer(ticket, carol, ANSWERED_AT)


def test_a_follower_may_read_the_ticket_but_not_answer(api, ticket, alice, carol):
    # given: carol follows alice's ticket
    at(ANSWERED_AT, watchers.add_watcher, ticket.pk, actor=alice, user=carol.username)

    # then: refused (403) on both the answer and the read
    assert post(api, carol, ticket, ANSWERED_AT, **GOOD).status_code == 403
    with pytest.raises(ActionForbidden):
        answer(ticket, carol, ANSWERED_AT)
    assert api(carol).get(f"/api/v1/tickets/{ticket.number}/survey/").status_code == 403


def test_staff_read_her_answer(api, ticket, alice, bob, dave):
    answer(ticket, alice, ANSWERED_AT, **POOR)

    for user in (alice, bob, dave):
        response = api(user).get(f"/api/v1/tickets/{ticket.number}/survey/")
        assert response.status_code == 200
        assert response.json()["comment"] == POOR["comment"]


def test_no_survey_before_verification(api, alice, bob):
    # given: a fix not yet confirmed
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)

    # then: nothing to read (404) and nothing to answer (409)
    response = api(alice).get(f"/api/v1/tickets/{ticket.number}/survey/")
    assert response.status_code == 404
    assert "no satisfaction survey yet" in response.json()["detail"]
    response = api(alice).post(f"/api/v1/tickets/{ticket.number}/survey/", GOOD, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "The satisfaction survey opens once the fix is verified."


def test_a_reopened_ticket_takes_no_answer_until_verified_again(ticket, alice):
    at(
        sh(2026, 11, 23, 10, 30),
        ticket_services.reopen_ticket,
        ticket.pk,
        actor=alice,
        reason="Again",
    )

    with pytest.raises(InvalidTransition, match="reopened"):
        answer(ticket, alice, ANSWERED_AT)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"speed": 0}, "speed"),
        ({"quality": 6}, "quality"),
        ({"attitude": "great"}, "attitude"),
        ({"attitude": None}, "attitude"),
        ({"speed": True}, "speed"),
        ({"comment": "x" * 20_001}, "comment"),
        ({"suggestions": "bad\x00byte"}, "suggestions"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, ticket, alice, body, field):
    before = snapshot(ticket)

    response = post(api, alice, ticket, ANSWERED_AT, **{**GOOD, **body})

    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(ticket) == before


def test_missing_ratings_are_named(api, ticket, alice):
    response = post(api, alice, ticket, ANSWERED_AT, comment="")
    assert response.status_code == 400
    assert {"speed", "quality", "attitude"} <= set(response.json())


def test_the_service_names_a_bad_rating(ticket, alice):
    with pytest.raises(ValidationError) as refused:
        answer(ticket, alice, ANSWERED_AT, quality="5 stars")
    assert refused.value.message_dict == {"quality": ["Choose a rating from 1 to 5."]}
    assert services.rating("speed", "4") == 4


# --- a low rating tells the tech leads, once -----------------------------------------------------


def test_a_low_rating_tells_the_tech_leads_once(ticket, alice, tom):
    # when: speed 2, then changed to speed 1 and attitude 2
    answer(ticket, alice, ANSWERED_AT, **POOR)
    answer(
        ticket, alice, ANSWERED_AT + dt.timedelta(hours=1), **{**POOR, "speed": 1, "attitude": 2}
    )

    # then: tom heard once, in the app and by e-mail, with the ratings and the ticket's link
    assert told(LOW) == [("tom", "in_app"), ("tom", "email")]
    assert Survey.objects.get(ticket=ticket).low_rating_notified_at == ANSWERED_AT
    row = Notification.objects.filter(kind=LOW).first()
    assert row is not None
    assert row.link == f"/tickets/{ticket.number}/"
    assert (row.payload["speed"], row.payload["quality"], row.payload["attitude"]) == (2, 4, 3)


def test_a_good_rating_changed_to_a_low_one_tells_them_then(ticket, alice, tom):
    answer(ticket, alice, ANSWERED_AT)
    assert told(LOW) == []

    answer(ticket, alice, ANSWERED_AT + dt.timedelta(days=1), **{**GOOD, "quality": 2})

    assert told(LOW) == [("tom", "in_app"), ("tom", "email")]


def test_threes_and_above_tell_nobody(ticket, alice, tom):
    answer(ticket, alice, ANSWERED_AT, speed=3, quality=3, attitude=3)
    assert told(LOW) == []


def test_a_tech_lead_of_another_site_is_not_told(alice, bob, tom):
    # given: alice works in Shanghai; tom leads only the Beijing office
    shanghai = Site.objects.create(code="SH", name="上海")
    beijing = Site.objects.create(code="BJ", name="北京")
    alice.site = shanghai
    alice.save()
    tom.limited_to_sites.add(beijing)
    ticket = verified_ticket(alice, bob, VERIFIED_AT)
    assert ticket.site_id == shanghai.pk

    # when
    answer(ticket, alice, ANSWERED_AT, **POOR)

    # then
    assert told(LOW) == []
