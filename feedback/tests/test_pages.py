"""The survey on the ticket pages: the requester's form (stars 1–5 per dimension, a comment,
suggestions), her answer with "change" while she may, the engineer's read-only view, the
printed service report; through the Django client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from feedback.models import Survey
from feedback.obligations import sweep_surveys
from tests.clock import sh
from tickets.choices import TicketState
from tickets.models import Ticket

from .factories import POOR, answer, verified_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

VERIFIED_AT = sh(2026, 11, 23, 10, 0)  # a Monday
LATER = sh(2026, 11, 23, 11, 0)


@pytest.fixture
def web(web):
    """The conftest's ``web(user)``, reading the pages in English."""

    def login(user):
        client = web(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def ticket(alice, bob) -> Ticket:
    return verified_ticket(alice, bob, VERIFIED_AT)


def get(client, url: str, moment: dt.datetime = LATER):
    with time_machine.travel(moment, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def post(client, ticket: Ticket, data: dict, moment: dt.datetime = LATER):
    with time_machine.travel(moment, tick=False):
        return client.post(f"/feedback/{ticket.number}/survey/", data)


FORM = {"speed": "4", "quality": "5", "attitude": "5", "comment": "Quick", "suggestions": ""}


def test_the_requester_sees_the_form_with_five_stars_per_dimension(web, ticket, alice):
    html = get(web(alice), f"/tickets/{ticket.number}/")

    assert 'id="survey-form"' in html
    for name in ("speed", "quality", "attitude"):
        radios = re.findall(
            rf'<input type="radio" class="form-selectgroup-input" name="{name}"', html
        )
        assert len(radios) == 5, name
    assert "Very dissatisfied" in html and "Very satisfied" in html
    # she is told when the ticket closes by itself (Mon 10:00 + Tue, Wed, Thu)
    assert "Without an answer by the end of 2026-11-26, the ticket closes by itself." in html


def test_the_form_speaks_chinese(web, ticket, alice):
    alice.language = "zh-hans"
    alice.save()

    html = get(web(alice), f"/tickets/{ticket.number}/")

    assert "请评价本次服务" in html
    for words in (
        "非常不满意",
        "不满意",
        "一般",
        "满意",
        "非常满意",
        "响应速度",
        "解决质量",
        "服务态度",
    ):
        assert words in html, words


def test_answering_on_the_page_closes_the_ticket_and_shows_her_answer(web, ticket, alice):
    client = web(alice)

    response = post(client, ticket, FORM)

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/#survey"
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.CLOSED
    html = get(client, f"/tickets/{ticket.number}/", LATER + dt.timedelta(minutes=1))
    assert "Thank you for your feedback. The ticket is now closed." in html
    assert "Your rating of this service" in html
    assert 'data-rating="speed"' in html and "★★★★☆" in html
    assert "You can change your answer until 2026-11-30 11:00." in html
    assert "Change my answer" in html
    # the change form holds her answer
    assert re.search(r'name="speed" value="4" id="[^"]+" checked', html)
    assert re.search(r'name="quality" value="5" id="[^"]+" checked', html)


def test_a_missing_rating_is_named_and_what_she_typed_is_kept(web, ticket, alice):
    response = post(web(alice), ticket, {**FORM, "quality": "", "comment": "Slow at first"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="survey_quality_error"' in html
    assert "Choose a rating from 1 to 5." in html
    assert "Slow at first" in html
    assert re.search(r'name="speed" value="4" id="[^"]+" checked', html)
    assert Survey.objects.get(ticket=ticket).answered_at is None


def test_after_seven_days_her_answer_is_read_only(web, ticket, alice):
    answer(ticket, alice, LATER)
    day_8 = LATER + dt.timedelta(days=7, hours=1)
    with time_machine.travel(day_8, tick=False):
        client = web(alice)  # signed in on day 8 (a week-old session has expired)

    html = get(client, f"/tickets/{ticket.number}/", day_8)
    assert "Your rating of this service" in html
    assert 'id="survey-form"' not in html

    response = post(client, ticket, {**FORM, "speed": "1"}, day_8)
    assert response.status_code == 409
    assert "that time ended on 2026-11-30 11:00." in response.content.decode()


def test_only_the_requester_posts(web, ticket, bob, carol):
    assert post(web(bob), ticket, FORM).status_code == 403
    assert post(web(carol), ticket, FORM).status_code == 404
    assert Survey.objects.get(ticket=ticket).answered_at is None


def test_the_engineer_reads_the_answer_and_has_no_form(web, ticket, alice, bob):
    # before the answer: waiting, and when the ticket closes by itself
    html = get(web(bob), f"/tickets/{ticket.number}/")
    assert 'id="survey-work"' in html
    assert "no answer yet" in html
    assert "Without an answer the ticket closes by itself after 2026-11-26." in html

    answer(ticket, alice, LATER, **POOR)

    html = get(web(bob), f"/tickets/{ticket.number}/", LATER + dt.timedelta(minutes=1))
    assert 'id="survey-work"' in html and 'id="survey-form"' not in html
    assert POOR["comment"] in html
    assert "Dissatisfied" in html and 'class="badge bg-red-lt">low' in html
    # the timeline shows the ratings to the desk
    assert "Satisfaction survey answered" in html
    assert "data-survey-entry" in html


def test_the_service_report_prints_the_satisfaction(web, ticket, alice, bob):
    answer(ticket, alice, LATER, suggestions="A video on the toner")

    html = get(web(bob), f"/tickets/{ticket.number}/report/", LATER + dt.timedelta(minutes=1))

    assert 'id="report-survey"' in html
    assert "5/5 · Very satisfied" in html
    assert "A video on the toner" in html
    assert "No survey answer yet." not in html


def test_the_timeline_says_why_an_unanswered_ticket_closed(web, ticket, alice):
    # given: nobody answered; the sweep closed it after Tue, Wed, Thu (Friday 00:00)
    assert sweep_surveys(now=sh(2026, 11, 27, 0, 0)) == 1

    # then: her page names it, and says she may still rate the service
    with time_machine.travel(sh(2026, 11, 27, 9, 0), tick=False):
        client = web(alice)
    html = get(client, f"/tickets/{ticket.number}/", sh(2026, 11, 27, 9, 0))
    assert "Closed without a survey answer" in html
    assert "No answer to the satisfaction survey within 3 working days of the verification." in html
    assert 'id="survey-form"' in html
