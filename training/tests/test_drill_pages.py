"""Building a drill from the pages: the "make a drill" card on a solved ticket's work view
for tech leads, the form filled from the ticket, refusals beside their fields; the drill
list's tabs; starting and answering from the engineer's page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tickets.choices import TicketState
from tickets.tests.factories import make_ticket_in
from training.choices import DrillStatus
from training.models import Drill
from training.tests.factories import SYMPTOM, make_drill, resolved_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, bob):
    return resolved_ticket(alice, bob)


def test_the_work_view_offers_a_drill_to_tech_leads_on_solved_tickets(web, alice, bob, tom, ticket):
    # given
    open_one = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)

    # when
    lead_page = web(tom).get(f"/tickets/{ticket.number}/").content.decode()
    engineer_page = web(bob).get(f"/tickets/{ticket.number}/").content.decode()
    open_page = web(tom).get(f"/tickets/{open_one.number}/").content.decode()

    # then
    assert f"/training/drills/new/?ticket={ticket.number}" in lead_page
    assert 'id="training-drill-panel"' not in engineer_page
    assert 'id="training-drill-panel"' not in open_page


def test_the_form_is_filled_from_the_ticket_and_makes_the_drill(web, tom, erin, ticket):
    # when
    form = web(tom).get(f"/training/drills/new/?ticket={ticket.number}").content.decode()
    made = web(tom).post(
        "/training/drills/new/",
        {
            "ticket": ticket.number,
            "engineer": "erin",
            "time_limit_minutes": "20",
            "title": "Grey smear on prints",
            "symptom": SYMPTOM,
            "scenario": "Third floor printer",
            "attachments": [str(ticket.attachments.get(is_internal=False).pk)],
        },
    )

    # then
    assert SYMPTOM in form and 'value="Printer smears grey"' in form
    assert "warranty.txt" not in form  # the internal note's file is never offered
    drill = Drill.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/training/drills/{drill.pk}/"
    assert (drill.engineer, drill.time_limit_minutes, drill.title) == (
        erin,
        20,
        "Grey smear on prints",
    )


@pytest.mark.parametrize(
    ("change", "marker"),
    [
        ({"engineer": "bob"}, 'id="drill_engineer"'),  # he fixed it
        ({"time_limit_minutes": "1"}, 'id="drill_time_limit_minutes"'),
        ({"title": ""}, 'id="drill_title"'),
        ({"attachments": ["999999"]}, "999999 is not one of the available choices"),
    ],
)
def test_bad_drill_input_is_shown_beside_its_field(web, tom, ticket, change, marker):
    data = {
        "ticket": ticket.number,
        "engineer": "erin",
        "time_limit_minutes": "30",
        "title": "T",
        "symptom": "S",
        **change,
    }
    answer = web(tom).post("/training/drills/new/", data)
    page = answer.content.decode()
    assert answer.status_code == 400
    assert marker in page
    assert "invalid-feedback" in page
    assert not Drill.objects.exists()


def test_an_open_ticket_number_is_refused_at_the_first_step(web, alice, bob, tom):
    open_one = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    answer = web(tom).get(f"/training/drills/new/?ticket={open_one.number}")
    assert answer.status_code == 400
    assert "resolved ticket" in answer.content.decode()


def test_the_api_builds_a_drill_and_names_bad_fields(api, tom, erin, ticket):
    made = api(tom).post(
        "/api/v1/drills/", {"ticket": ticket.number, "engineer": "erin"}, format="json"
    )
    bad = api(tom).post("/api/v1/drills/", {"ticket": "IT-1", "engineer": "erin"}, format="json")
    no_engineer = api(tom).post("/api/v1/drills/", {"ticket": ticket.number}, format="json")
    assert made.status_code == 201 and made.json()["time_limit_minutes"] == 30
    assert (bad.status_code, list(bad.json())) == (400, ["ticket"])
    assert (no_engineer.status_code, list(no_engineer.json())) == (400, ["engineer"])


def test_the_queue_to_score_lists_answered_drills_oldest_first(web, tom, erin, ticket):
    # given: two drills answered a minute apart, one not started
    drills = [make_drill(tom, erin, ticket) for _ in range(3)]
    start = timezone.now()
    for n, drill in enumerate(drills[:2]):
        with time_machine.travel(start + dt.timedelta(minutes=n), tick=False):
            web(erin).post(f"/training/drills/{drill.pk}/start/")
            web(erin).post(f"/training/drills/{drill.pk}/answer/", {"diagnosis": "d", "plan": "p"})

    # when
    page = web(tom).get("/training/drills/").content.decode()

    # then
    assert page.index(f'data-drill="{drills[0].pk}"') < page.index(f'data-drill="{drills[1].pk}"')
    assert f'data-drill="{drills[2].pk}"' not in page
    mine = web(erin).get("/training/drills/?tab=mine_open").content.decode()
    assert f'data-drill="{drills[2].pk}"' in mine
    assert "The symptom shows when you start the drill." in mine


def test_a_late_answer_on_the_page_is_taken_and_shown_late(web, tom, erin, ticket):
    # given
    drill = make_drill(tom, erin, ticket, time_limit_minutes=10)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        web(erin).post(f"/training/drills/{drill.pk}/start/")

    # when: 12 minutes later
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        overdue = web(erin).get(f"/training/drills/{drill.pk}/").content.decode()
        answer = web(erin).post(
            f"/training/drills/{drill.pk}/answer/", {"diagnosis": "d", "plan": "p"}
        )

    # then
    assert "Time is up" in overdue
    assert answer.status_code == 302
    fresh = Drill.objects.get(pk=drill.pk)
    assert (fresh.status, fresh.is_late) == (DrillStatus.ANSWERED, True)
    lead_page = web(tom).get(f"/training/drills/{drill.pk}/").content.decode()
    assert "Late by 2 min" in lead_page


def test_an_empty_answer_stays_on_the_page_with_the_field_marked(web, tom, erin, ticket):
    drill = make_drill(tom, erin, ticket)
    web(erin).post(f"/training/drills/{drill.pk}/start/")
    answer = web(erin).post(f"/training/drills/{drill.pk}/answer/", {"diagnosis": "", "plan": "p"})
    assert answer.status_code == 400
    assert 'id="answer_diagnosis"' in answer.content.decode()
    again = web(erin).post(f"/training/drills/{drill.pk}/start/")
    assert again.status_code == 409
