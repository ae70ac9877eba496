"""Assessments: a score 0–100 by a tech lead; passing a session's assessment raises the
session's skills through ``people.services.skills.grant`` (never lowering one), and the
engineer's skills say where the level came from."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from accounts.tests.factories import make_user
from people.models import Skill
from people.services.skills import set_skills
from tickets.errors import ActionForbidden
from tickets.tests.factories import make_category
from training.services.assessments import record_assessment
from training.tests.factories import make_session

pytestmark = pytest.mark.django_db

SKILLS = [{"category": "hardware-printer", "level": 2}, {"category": "network", "level": 1}]


@pytest.fixture
def session(tom, bob, erin):
    make_category("hardware-printer")
    make_category("network")
    return make_session(tom, [bob, erin], title="Printers in depth", skills=SKILLS, pass_mark=70)


def levels(engineer) -> dict[str, tuple[int, str]]:
    return {
        s.category.slug: (s.level, s.source)
        for s in Skill.objects.filter(engineer=engineer).select_related("category")
    }


def test_passing_raises_the_sessions_skills(tom, bob, session):
    # when
    done = record_assessment(actor=tom, engineer=bob, score=70, notes="Solid", session=session.pk)

    # then
    assert done.passed and done.kind == "technical"
    assert levels(bob) == {
        "hardware-printer": (2, "training: Printers in depth"),
        "network": (1, "training: Printers in depth"),
    }
    assert done.skills_granted == SKILLS


def test_below_the_pass_mark_adds_nothing(tom, bob, session):
    done = record_assessment(actor=tom, engineer=bob, score=69, session=session.pk)
    assert not done.passed
    assert levels(bob) == {}


def test_a_pass_never_lowers_a_skill(tom, bob, session):
    # given: a lead set bob to expert in printers
    set_skills(bob, [(make_category("hardware-printer"), 3)], actor=tom)

    # when
    done = record_assessment(actor=tom, engineer=bob, score=95, session=session.pk)

    # then
    assert levels(bob)["hardware-printer"][0] == 3
    assert levels(bob)["network"] == (1, "training: Printers in depth")
    assert done.skills_granted == [{"category": "network", "level": 1}]


def test_without_a_session_the_default_pass_mark_and_no_skills(tom, bob):
    done = record_assessment(actor=tom, engineer=bob, kind="service", score=60)
    assert done.passed and done.session is None and levels(bob) == {}


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("score", {"score": 101}),
        ("score", {"score": None}),
        ("kind", {"kind": "drill"}),
        ("kind", {"kind": "cooking"}),
        ("engineer", {"engineer": "alice"}),
        ("engineer", {"engineer": "ghost"}),
    ],
)
def test_bad_input_names_the_field(tom, bob, alice, field, changes):
    given = {"engineer": bob, "kind": "technical", "score": 80, **changes}
    with pytest.raises(ValidationError) as refused:
        record_assessment(actor=tom, **given)
    assert list(refused.value.message_dict) == [field]


def test_a_session_assessment_is_of_its_attendees(tom, dave, session, make_outsider):
    with pytest.raises(ValidationError) as refused:
        record_assessment(actor=tom, engineer=make_outsider, score=90, session=session.pk)
    assert list(refused.value.message_dict) == ["engineer"]


@pytest.fixture
def make_outsider(db):
    return make_user("olga", Role.ENGINEER)


def test_only_tech_leads_assess_and_never_themselves(tom, bob, erin, dave):
    for who in (bob, dave):
        with pytest.raises(ActionForbidden):
            record_assessment(actor=who, engineer=erin, kind="technical", score=80)
    with pytest.raises(ActionForbidden):
        record_assessment(actor=tom, engineer=tom, kind="technical", score=80)


def test_the_session_page_records_an_assessment(web, tom, bob, session):
    # when
    answer = web(tom).post(
        f"/training/{session.pk}/assessments/",
        {"engineer": "bob", "kind": "technical", "score": "88", "notes": "Good"},
    )
    bad = web(tom).post(
        f"/training/{session.pk}/assessments/",
        {"engineer": "bob", "kind": "technical", "score": "188"},
    )

    # then
    assert answer.status_code == 302
    assert levels(bob)["hardware-printer"][0] == 2
    assert bad.status_code == 400
    assert 'id="assessment_score"' in bad.content.decode()


def test_the_api_records_and_lists_assessments(api, tom, bob, erin, session):
    # when
    created = api(tom).post(
        "/api/v1/assessments/",
        {"engineer": "bob", "score": 75, "session": session.pk},
        format="json",
    )
    bad = api(tom).post("/api/v1/assessments/", {"engineer": "bob", "score": 175}, format="json")
    mine = api(bob).get("/api/v1/assessments/").json()
    others = api(erin).get("/api/v1/assessments/").json()
    by_engineer = api(bob).post(
        "/api/v1/assessments/", {"engineer": "erin", "score": 75}, format="json"
    )

    # then
    assert created.status_code == 201
    assert created.json()["kind"] == "technical"  # the session's
    assert created.json()["skills_granted"] == SKILLS
    assert (bad.status_code, list(bad.json())) == (400, ["score"])
    assert [a["score"] for a in mine["results"]] == [75]
    assert others["results"] == []
    assert by_engineer.status_code == 403


def test_my_results_page_shows_my_scores_only(web, tom, bob, erin, session):
    record_assessment(actor=tom, engineer=bob, score=91, session=session.pk)
    record_assessment(actor=tom, engineer=erin, score=42, session=session.pk)
    page = web(bob).get("/training/assessments/").content.decode()
    assert ">91<" in page and ">42<" not in page
    team = web(tom).get("/training/assessments/?engineer=erin").content.decode()
    assert ">42<" in team and ">91<" not in team
