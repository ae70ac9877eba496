"""The ticket API says why automatic assignment chose (``auto_assignment`` on one ticket, and
in the answer to filing one), as the timeline stores it; why nobody, to the desk's staff."""

from __future__ import annotations

import pytest
from django.test import override_settings

from people.choices import AssignMode, SkillLevel, UnassignedNote
from people.tests.factories import give_skills
from tickets import services
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LEAST = override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED)
FILED = {
    "title": "Printer on floor 3 prints blank pages",
    "description": "Every page comes out blank.",
    "category": "hardware-printer",
    "impact": "single",
    "urgency": "abnormal",
}


@LEAST
def test_filing_through_the_api_answers_who_and_why(api, working_hours, printers, alice, ann):
    # given: alice reads English (the timeline's reason is written in the filer's language)
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    alice.language = "en"
    alice.save(update_fields=["language"])

    # when
    filed = api(alice).post("/api/v1/tickets/", FILED, format="json", HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    assert body["assignee"]["username"] == "ann"
    choice = body["auto_assignment"]
    assert choice["assigned_to"] == "Ann"
    assert choice["reason"].startswith("Automatic assignment")
    assert "Printer / peripherals" in choice["reason"]
    shown = api(alice).get(f"/api/v1/tickets/{body['number']}/").json()
    assert shown["auto_assignment"] == choice


@LEAST
def test_the_list_does_not_carry_it(api, working_hours, printers, alice, ann):
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    make_ticket(requester=alice, category=printers)

    [row] = api(ann).get("/api/v1/tickets/").json()["results"]

    assert "auto_assignment" not in row


@LEAST
def test_why_nobody_is_for_the_staff(api, working_hours, printers, alice, ann):
    # given: nobody is skilled in printers
    ticket = make_ticket(requester=alice, category=printers)
    url = f"/api/v1/tickets/{ticket.number}/"

    # when
    for_staff = api(ann).get(url).json()["auto_assignment"]
    for_requester = api(alice).get(url).json()["auto_assignment"]

    # then
    assert for_staff["assigned_to"] is None
    assert for_staff["reason"] == str(UnassignedNote.NO_SKILL.label) % {"category": printers.label}
    assert for_requester is None


@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.OFF)
def test_off_says_nothing(api, working_hours, printers, alice, ann):
    give_skills(ann, (printers, SkillLevel.EXPERT))
    ticket = make_ticket(requester=alice, category=printers)

    assert api(ann).get(f"/api/v1/tickets/{ticket.number}/").json()["auto_assignment"] is None


def test_a_leads_assignment_is_not_an_automatic_one(api, printers, alice, ann, tom):
    ticket = make_ticket(requester=alice, category=printers)
    services.assign_ticket(ticket.pk, actor=tom, assignee=ann, reason="Ann knows this model")

    assert api(tom).get(f"/api/v1/tickets/{ticket.number}/").json()["auto_assignment"] is None
