"""A tech lead withdraws a drill not answered yet: its engineer is told (without the ticket
named), can no longer start or answer it, never reads its answer key, and a withdrawn
drill is kept (shown withdrawn), never scored. On the pages and the API
(``POST /api/v1/drills/{id}/withdraw/``)."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications.models import Notification
from tickets.errors import ActionForbidden, InvalidTransition
from training.choices import DrillStatus, TrainingNotice
from training.errors import DrillNotFound
from training.models import Drill
from training.services import drills as services
from training.tests.factories import make_drill, resolved_ticket
from training.tests.test_drills import ANSWER, leaked

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, bob):
    return resolved_ticket(alice, bob)


@pytest.fixture
def drill(tom, erin, ticket):
    return make_drill(tom, erin, ticket)


def test_a_lead_withdraws_a_drill_and_its_engineer_is_told(drill, tom, erin, ticket):
    # when
    services.withdraw_drill(drill.pk, actor=tom)

    # then
    kept = Drill.objects.get(pk=drill.pk)
    assert kept.status == DrillStatus.WITHDRAWN
    assert kept.withdrawn_by == tom and kept.withdrawn_at is not None
    told = Notification.objects.filter(kind=TrainingNotice.DRILL_WITHDRAWN)
    assert {(n.recipient.username, n.channel) for n in told} == {
        ("erin", "in_app"),
        ("erin", "email"),
    }
    assert all(leaked(str(n.payload), ticket) == [] for n in told)
    assert ticket.title not in str(told.first().payload)


def test_a_withdrawn_drill_is_neither_taken_nor_scored(drill, tom, erin):
    services.withdraw_drill(drill.pk, actor=tom)

    with pytest.raises(InvalidTransition):
        services.start_drill(drill.pk, actor=erin)
    with pytest.raises(InvalidTransition):
        services.answer_drill(drill.pk, actor=erin, **ANSWER)
    with pytest.raises(InvalidTransition):
        services.score_drill(drill.pk, actor=tom, score=50)
    with pytest.raises(InvalidTransition):
        services.withdraw_drill(drill.pk, actor=tom)


def test_a_started_drill_may_be_withdrawn_an_answered_one_not(tom, erin, ticket, bob):
    started = make_drill(tom, erin, ticket)
    services.start_drill(started.pk, actor=erin)
    answered = make_drill(tom, erin, ticket)
    services.start_drill(answered.pk, actor=erin)
    services.answer_drill(answered.pk, actor=erin, **ANSWER)

    assert services.withdraw_drill(started.pk, actor=tom).status == DrillStatus.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.withdraw_drill(answered.pk, actor=tom)


def test_only_tech_leads_withdraw_never_their_own(drill, erin, dave, bob, tom, ticket, lead2):
    with pytest.raises(ActionForbidden):
        services.withdraw_drill(drill.pk, actor=erin)
    with pytest.raises(ActionForbidden):
        services.withdraw_drill(drill.pk, actor=dave)
    with pytest.raises(DrillNotFound):
        services.withdraw_drill(drill.pk, actor=bob)  # not his drill: not found
    own = make_drill(lead2, tom, ticket)  # a drill for tom, the lead
    with pytest.raises(ActionForbidden):
        services.withdraw_drill(own.pk, actor=tom)


@pytest.fixture
def lead2(db):
    return make_user("tia", Role.TECH_LEAD)


# --- what the engineer reads ------------------------------------------------------------------


def test_withdrawn_before_the_start_the_symptom_never_shows(api, web, drill, tom, erin, ticket):
    services.withdraw_drill(drill.pk, actor=tom)

    body = api(erin).get(f"/api/v1/drills/{drill.pk}/").json()
    page = web(erin).get(f"/training/drills/{drill.pk}/").content.decode()
    listed = web(erin).get("/training/drills/?tab=mine_withdrawn").content.decode()

    assert body["status"] == "withdrawn" and body["withdrawn_at"] is not None
    assert body["symptom"] is None and body["title"] is None and body["answer_key"] is None
    assert 'id="drill-withdrawn"' in page and 'id="drill-symptom"' not in page
    assert "drill_start" not in page and f"/training/drills/{drill.pk}/start/" not in page
    assert f'data-drill="{drill.pk}"' in listed
    for text in (page, listed, str(body)):
        assert leaked(text, ticket) == []
    assert ticket.title not in page


# --- pages ------------------------------------------------------------------------------------


def test_the_page_withdraws(web, drill, tom, erin):
    assert 'id="drill-withdraw"' in web(tom).get(f"/training/drills/{drill.pk}/").content.decode()
    assert 'id="drill-withdraw"' not in (
        web(erin).get(f"/training/drills/{drill.pk}/").content.decode()
    )
    # the team's tab of withdrawn drills shows only once there is one
    assert "tab=withdrawn" not in web(tom).get("/training/drills/").content.decode()

    answer = web(tom).post(f"/training/drills/{drill.pk}/withdraw/")

    assert answer.status_code == 302
    assert Drill.objects.get(pk=drill.pk).status == DrillStatus.WITHDRAWN
    tabs = web(tom).get("/training/drills/?tab=withdrawn").content.decode()
    assert f'data-drill="{drill.pk}"' in tabs
    assert web(tom).post(f"/training/drills/{drill.pk}/withdraw/").status_code == 409
    assert web(erin).post(f"/training/drills/{drill.pk}/withdraw/").status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_the_api_withdraws_once(api, drill, tom, erin, bob):
    url = f"/api/v1/drills/{drill.pk}/withdraw/"

    assert api(erin).post(url).status_code == 403
    assert api(bob).post(url).status_code == 404
    done = api(tom).post(url)
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert api(tom).post(url).status_code == 409
    listed = api(tom).get("/api/v1/drills/?status=withdrawn").json()["results"]
    assert [d["id"] for d in listed] == [drill.pk]
