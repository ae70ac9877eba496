"""The issue's promise, on every page and API answer the engineer can reach: a drill never
shows its engineer the ticket's root cause, solution, plan, internal notes or number (nor a
link to it) before it is scored; only tech leads score. After the score, the engineer reads
what really solved it."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.tests.factories import make_user
from tickets.models import Attachment
from training.choices import DrillStatus
from training.models import Drill
from training.tests.factories import (
    INTERNAL,
    PLAN,
    ROOT_CAUSE,
    SCOPE,
    SOLUTION,
    SYMPTOM,
    make_drill,
    resolved_ticket,
)

pytestmark = pytest.mark.django_db

ANSWER = {"diagnosis": "The fuser is worn", "plan": "Replace the fuser"}


@pytest.fixture
def ticket(alice, bob):
    return resolved_ticket(alice, bob)


@pytest.fixture
def drill(tom, erin, ticket):
    return make_drill(tom, erin, ticket)


def leaks(text: str, ticket) -> list[str]:
    """Anything of the answer key, the internal note or a way to the ticket in ``text``."""
    found = [
        s
        for s in (ROOT_CAUSE, SOLUTION, PLAN, SCOPE, INTERNAL, "warranty.txt", ticket.number)
        if s in text
    ]
    if f"/tickets/{ticket.number}" in text or "/tickets/IT-" in text:
        found.append("a link to the ticket")
    return found


def everything_erin_reads(web, api, erin, drill) -> list[str]:
    """Every page and API answer about the drill its engineer may open."""
    page, client = web(erin), api(erin)
    return [
        page.get(f"/training/drills/{drill.pk}/").content.decode(),
        page.get("/training/drills/").content.decode(),
        page.get("/training/drills/?tab=mine_answered").content.decode(),
        page.get("/training/assessments/").content.decode(),
        page.get("/notifications/").content.decode(),
        client.get(f"/api/v1/drills/{drill.pk}/").content.decode(),
        client.get("/api/v1/drills/").content.decode(),
        client.get("/api/v1/notifications/").content.decode(),
    ]


def test_before_starting_the_engineer_sees_neither_secrets_nor_the_symptom(
    web, api, erin, drill, ticket
):
    # when
    texts = everything_erin_reads(web, api, erin, drill)

    # then
    assert [leaks(t, ticket) for t in texts] == [[]] * len(texts)
    assert not any(SYMPTOM in t for t in texts)
    body = api(erin).get(f"/api/v1/drills/{drill.pk}/").json()
    assert (body["symptom"], body["attachments"], body["answer_key"]) == (None, None, None)


def test_started_the_engineer_sees_the_symptom_and_files_but_no_secret(
    web, api, erin, drill, ticket
):
    # when: started through the page
    assert web(erin).post(f"/training/drills/{drill.pk}/start/").status_code == 302
    texts = everything_erin_reads(web, api, erin, drill)

    # then
    assert [leaks(t, ticket) for t in texts] == [[]] * len(texts)
    assert SYMPTOM in texts[0] and "smear.png" in texts[0]
    assert 'id="drill-countdown"' in texts[0]
    body = api(erin).get(f"/api/v1/drills/{drill.pk}/").json()
    assert body["symptom"] == SYMPTOM and body["answer_key"] is None
    assert [f["name"] for f in body["attachments"]] == ["smear.png"]


def test_answered_but_not_scored_still_no_secret(web, api, erin, drill, ticket):
    # given: started and answered through the API
    client = api(erin)
    assert client.post(f"/api/v1/drills/{drill.pk}/start/").status_code == 200
    answered = client.post(f"/api/v1/drills/{drill.pk}/answer/", ANSWER, format="json")

    # when
    texts = [answered.content.decode(), *everything_erin_reads(web, api, erin, drill)]

    # then
    assert answered.status_code == 200
    assert [leaks(t, ticket) for t in texts] == [[]] * len(texts)
    assert answered.json()["answer_key"] is None


def test_the_engineers_own_files_link_refuses_internal_files(web, erin, drill, ticket):
    # given
    web(erin).post(f"/training/drills/{drill.pk}/start/")
    internal = Attachment.objects.get(ticket=ticket, is_internal=True)
    shown = drill.attachments.get()

    # when
    refused = web(erin).get(f"/training/drills/{drill.pk}/files/{internal.pk}/")
    given = web(erin).get(f"/training/drills/{drill.pk}/files/{shown.pk}/")

    # then
    assert refused.status_code == 404
    assert given.status_code == 200
    assert given["Content-Disposition"].startswith('attachment; filename="smear.png"')
    assert given["X-Content-Type-Options"] == "nosniff"


def test_files_show_only_once_started(web, erin, drill):
    shown = drill.attachments.get()
    assert web(erin).get(f"/training/drills/{drill.pk}/files/{shown.pk}/").status_code == 404


def test_the_lead_scores_beside_the_real_solution(web, api, erin, tom, drill, ticket):
    # given
    client = api(erin)
    client.post(f"/api/v1/drills/{drill.pk}/start/")
    client.post(f"/api/v1/drills/{drill.pk}/answer/", ANSWER, format="json")

    # when
    page = web(tom).get(f"/training/drills/{drill.pk}/").content.decode()

    # then: the answer and the key side by side, and the score form
    assert ANSWER["diagnosis"] in page and ROOT_CAUSE in page and SOLUTION in page
    assert 'id="drill-score-form"' in page
    assert INTERNAL not in page  # the internal note is not part of the answer key


def test_only_tech_leads_score_through_the_page_and_the_api(web, api, erin, dave, tom, drill):
    # given
    client = api(erin)
    client.post(f"/api/v1/drills/{drill.pk}/start/")
    client.post(f"/api/v1/drills/{drill.pk}/answer/", ANSWER, format="json")
    score = {"score": 90, "notes": "Good"}

    # when
    by_engineer_page = web(erin).post(f"/training/drills/{drill.pk}/score/", score)
    by_engineer_api = client.post(f"/api/v1/drills/{drill.pk}/score/", score, format="json")
    by_manager = api(dave).post(f"/api/v1/drills/{drill.pk}/score/", score, format="json")
    manager_page = web(dave).get(f"/training/drills/{drill.pk}/").content.decode()

    # then
    assert (by_engineer_page.status_code, by_engineer_api.status_code) == (403, 403)
    assert by_manager.status_code == 403
    assert 'id="drill-score-form"' not in manager_page
    assert Drill.objects.get(pk=drill.pk).status == DrillStatus.ANSWERED
    by_lead = api(tom).post(f"/api/v1/drills/{drill.pk}/score/", score, format="json")
    assert by_lead.status_code == 200
    assert by_lead.json()["score"] == 90


def test_once_scored_the_engineer_reads_the_score_and_the_real_solution(
    web, api, erin, tom, drill, ticket
):
    # given
    client = api(erin)
    client.post(f"/api/v1/drills/{drill.pk}/start/")
    client.post(f"/api/v1/drills/{drill.pk}/answer/", ANSWER, format="json")
    web(tom).post(f"/training/drills/{drill.pk}/score/", {"score": 72, "notes": "Check heat"})

    # when
    page = web(erin).get(f"/training/drills/{drill.pk}/").content.decode()
    body = client.get(f"/api/v1/drills/{drill.pk}/").json()

    # then
    assert "72" in page and "Check heat" in page and SOLUTION in page and ROOT_CAUSE in page
    assert body["score"] == 72
    assert body["answer_key"]["solution"] == SOLUTION
    assert body["answer_key"]["number"] == ticket.number
    assert INTERNAL not in page and INTERNAL not in str(body)


def test_a_tech_lead_given_a_drill_reads_it_as_an_engineer(web, api, alice, bob, tom, ticket):
    # given: another lead builds a drill for tom
    other_lead = make_user("lena", Role.TECH_LEAD)
    drill = make_drill(other_lead, tom, ticket)
    api(tom).post(f"/api/v1/drills/{drill.pk}/start/")

    # when
    page = web(tom).get(f"/training/drills/{drill.pk}/").content.decode()
    body = api(tom).get(f"/api/v1/drills/{drill.pk}/").json()

    # then
    assert leaks(page, ticket) == [] and body["answer_key"] is None
    api(tom).post(f"/api/v1/drills/{drill.pk}/answer/", ANSWER, format="json")
    own = api(tom).post(f"/api/v1/drills/{drill.pk}/score/", {"score": 100}, format="json")
    assert own.status_code == 403
