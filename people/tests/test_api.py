"""The engineers API: who may read and write, what a PUT accepts, and fixed query counts."""

from __future__ import annotations

import pytest

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from people.choices import SkillLevel
from people.models import Skill
from people.tests.factories import give_skills, set_profile
from sla.models import BusinessCalendar
from tickets import services
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LIST = "/api/v1/engineers/"


def _skills_url(username: str) -> str:
    return f"/api/v1/engineers/{username}/skills/"


@pytest.fixture
def desk(printers, network, alice, ann, ben, tom):
    """ann: printers (3) and Wi-Fi (1), covers the Beijing branch, works nights, one open
    high-priority ticket; ben: nothing yet."""
    site = Site.objects.create(code="bj", name="Beijing branch")
    give_skills(ann, (printers, SkillLevel.EXPERT), (network, SkillLevel.LEARNING))
    night = BusinessCalendar.objects.create(name="Nights", weekly_hours=[["20:00-23:00"]] * 7)
    set_profile(ann, sites=[site], calendar=night, auto_assign=False)
    ticket = make_ticket(requester=alice, impact="network", urgency="interrupted")
    services.accept_ticket(ticket.pk, actor=ann)
    return site


def test_tech_leads_and_managers_list_the_engineers(api, desk, tom, dave, ann):
    for reader in (tom, dave):
        response = api(reader).get(LIST)
        assert response.status_code == 200
        rows = {row["username"]: row for row in response.json()["results"]}
        assert set(rows) == {"ann", "ben", "tom"}
        assert rows["ann"] == {
            "username": "ann",
            "name": "Ann",
            "sites": [{"code": "bj", "name": "Beijing branch"}],
            "skills": [
                {"category": "hardware-printer", "name": "打印机/外设", "level": 3, "source": ""},
                {"category": "network-wifi", "name": "无线网络", "level": 1, "source": ""},
            ],
            "open_tickets": 1,
            "weighted_load": 3,
            "auto_assign": False,
            "calendar": "Nights",
        }
        assert rows["ben"]["sites"] == [] and rows["ben"]["calendar"] is None
        assert rows["ben"]["auto_assign"] is True and rows["ben"]["open_tickets"] == 0


@pytest.mark.parametrize("who", ["alice", "ann"])
def test_requesters_and_engineers_may_not_list_the_engineers(api, desk, who, alice, ann):
    user = {"alice": alice, "ann": ann}[who]
    assert api(user).get(LIST).status_code == 403


def test_the_list_filters_by_site_category_and_name(api, desk, tom, ben, printers):
    # given: ben covers every site, has no skills
    def names(query: str) -> list[str]:
        return [row["username"] for row in api(tom).get(LIST + query).json()["results"]]

    assert names("?site=bj") == ["ann", "ben", "tom"]  # ann covers it, the others every site
    assert names("?category=hardware-printer") == ["ann"]
    assert names("?q=BE") == ["ben"]
    assert names("?site=nowhere") == []
    assert names("?category=nothing") == []


def test_the_list_runs_a_fixed_number_of_queries(
    api, desk, tom, printers, django_assert_num_queries
):
    # given: ten more engineers with skills, sites and loads
    client = api(tom)
    client.get(LIST)  # warm: permissions cached on the user object
    for i in range(10):
        person = make_user(f"eng{i}", Role.ENGINEER)
        give_skills(person, (printers, SkillLevel.INDEPENDENT))
        set_profile(person, sites=[desk])

    # then: count, page (profiles, calendars, loads joined), covered sites, skills
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert response.json()["count"] == 13


def test_an_engineer_reads_their_own_and_not_a_colleagues(api, desk, ann, ben):
    assert api(ann).get("/api/v1/engineers/ann/").json()["weighted_load"] == 3
    assert api(ann).get("/api/v1/engineers/ben/").status_code == 403
    assert api(ann).get("/api/v1/engineers/nobody/").status_code == 403  # nothing learned


def test_an_unknown_username_is_a_404_to_those_who_may_read(api, desk, tom, alice):
    assert api(tom).get("/api/v1/engineers/nobody/").status_code == 404
    assert api(tom).get("/api/v1/engineers/alice/").status_code == 404  # a requester
    assert api(tom).put(_skills_url("alice"), [], format="json").status_code == 404


def test_a_tech_lead_replaces_the_skill_set(api, desk, tom, ann, printers):
    # when
    response = api(tom).put(
        _skills_url("ann"),
        [{"category": "hardware-printer", "level": 2}, {"category": "hardware", "level": 3}],
        format="json",
    )

    # then: the Wi-Fi skill is gone, printers lowered, hardware added; the source says who
    assert response.status_code == 200, response.json()
    assert [(s["category"], s["level"]) for s in response.json()["skills"]] == [
        ("hardware", 3),
        ("hardware-printer", 2),
    ]
    sources = set(Skill.objects.filter(engineer=ann).values_list("source", flat=True))
    assert len(sources) == 1 and "Tom" in sources.pop()


@pytest.mark.parametrize("who", ["dave", "ann", "alice"])
def test_only_tech_leads_change_skills(api, desk, who, dave, ann, alice):
    user = {"dave": dave, "ann": ann, "alice": alice}[who]
    response = api(user).put(
        _skills_url("ann"), [{"category": "hardware-printer", "level": 1}], format="json"
    )
    assert response.status_code == 403
    assert Skill.objects.get(engineer=ann, category__slug="hardware-printer").level == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"category": "no-such-category", "level": 2}], "category"),
        ([{"category": "hardware-printer", "level": 4}], "level"),
        ([{"category": "hardware-printer", "level": 0}], "level"),
        ([{"category": "hardware-printer", "level": "two"}], "level"),
        ([{"category": "hardware-printer"}], "level"),
        ([{"level": 2}], "category"),
        ([{"category": "hardware-printer", "level": 2}] * 2, "category"),
        ({"category": "hardware-printer", "level": 2}, "non_field_errors"),
    ],
)
def test_bad_items_get_a_400_naming_the_field(api, desk, tom, ann, body, field):
    # when
    response = api(tom).put(_skills_url("ann"), body, format="json")

    # then: nothing changed
    assert response.status_code == 400
    errors = response.json()  # a list's errors come keyed by the item's index
    named = errors.get("0", errors)
    assert field in named, errors
    assert Skill.objects.filter(engineer=ann).count() == 2
