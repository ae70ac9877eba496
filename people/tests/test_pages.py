"""The people pages: the team skills matrix, editing an engineer, "my skills", and the
queue's and work view's note on a ticket automatic assignment could not place."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from people.choices import AssignMode, SkillLevel
from people.models import EngineerProfile, Skill
from people.services import skills as skill_services
from people.tests.factories import give_skills, set_profile
from sla.models import BusinessCalendar
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

MATRIX = "/people/skills/"
MINE = "/people/me/"


def _edit(username: str) -> str:
    return f"/people/skills/{username}/"


@pytest.fixture
def team(printers, network, ann, ben):
    give_skills(ann, (printers, SkillLevel.EXPERT), (network, SkillLevel.LEARNING))
    give_skills(ben, (printers, SkillLevel.INDEPENDENT))
    return Site.objects.create(code="bj", name="Beijing branch")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_matrix_shows_each_engineers_levels(web, team, tom, dave, language):
    for reader in (tom, dave):
        page = web(reader).get(MATRIX, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-engineer="ann"' in html and 'data-engineer="ben"' in html
        assert ("Team skills" if language == "en" else 'lang="zh-hans"') in html


def test_only_a_tech_lead_gets_the_edit_links(web, team, tom, dave):
    assert _edit("ann") in web(tom).get(MATRIX).content.decode()
    assert _edit("ann") not in web(dave).get(MATRIX).content.decode()


@pytest.mark.parametrize("who", ["alice", "ann"])
def test_requesters_and_engineers_do_not_see_the_matrix(web, team, who, alice, ann):
    assert web({"alice": alice, "ann": ann}[who]).get(MATRIX).status_code == 403


def test_the_matrix_filters_by_site_category_and_name(web, team, tom, ann, ben):
    set_profile(ben, sites=[Site.objects.create(code="gz", name="Guangzhou")])
    client = web(tom)

    def shown(query: str) -> set[str]:
        html = client.get(MATRIX + query).content.decode()
        return {name for name in ("ann", "ben", "tom") if f'data-engineer="{name}"' in html}

    assert shown("?site=bj") == {"ann", "tom"}  # ben covers Guangzhou only
    assert shown("?category=network-wifi") == {"ann"}
    assert shown("?q=be") == {"ben"}


def test_the_matrix_runs_a_fixed_number_of_queries(
    web, team, tom, printers, django_assert_num_queries
):
    client = web(tom)
    client.get(MATRIX)

    def add_engineers(first: int) -> None:
        for i in range(first, first + 5):
            person = make_user(f"eng{i}", Role.ENGINEER)
            give_skills(person, (printers, SkillLevel.INDEPENDENT))
            set_profile(person, sites=[team])

    add_engineers(0)
    with django_assert_num_queries(11) as five_more:
        client.get(MATRIX)
    add_engineers(5)
    with django_assert_num_queries(len(five_more.captured_queries)):
        client.get(MATRIX)


def test_a_tech_lead_edits_skills_sites_hours_and_automatic_assignment(web, team, tom, ann):
    # given
    night = BusinessCalendar.objects.create(name="Nights", weekly_hours=[["20:00-23:00"]] * 7)
    assert web(tom).get(_edit("ann")).status_code == 200

    # when: printers down to 2, Wi-Fi dropped, hardware added; Beijing only, nights, on leave
    response = web(tom).post(
        _edit("ann"),
        {
            "skill_hardware-printer": "2",
            "skill_hardware": "3",
            "sites": ["bj"],
            "calendar": str(night.pk),
        },
    )

    # then
    assert response.status_code == 302
    assert dict(Skill.objects.filter(engineer=ann).values_list("category__slug", "level")) == {
        "hardware-printer": 2,
        "hardware": 3,
    }
    profile = EngineerProfile.objects.get(user=ann)
    assert list(profile.sites.values_list("code", flat=True)) == ["bj"]
    assert profile.calendar == night
    assert profile.auto_assign is False


def test_a_bad_level_is_a_form_error(web, team, tom, ann):
    response = web(tom).post(
        _edit("ann"),
        {"skill_hardware-printer": "7", "auto_assign": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Skill.objects.get(engineer=ann, category__slug="hardware-printer").level == 3


def test_an_unknown_site_is_a_form_error(web, team, tom, ann):
    response = web(tom).post(_edit("ann"), {"sites": ["nowhere"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert EngineerProfile.objects.get(user=ann).sites.count() == 0


def test_managers_may_not_edit_and_a_requester_is_no_engineer(web, team, tom, dave, alice):
    assert web(dave).get(_edit("ann")).status_code == 403
    assert web(dave).post(_edit("ann"), {"auto_assign": "on"}).status_code == 403
    assert web(tom).get(_edit("alice")).status_code == 404
    assert web(tom).get(_edit("nobody")).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_engineer_reads_their_own_skills_and_where_they_came_from(
    web, team, tom, ann, printers, language
):
    # given: a lead set them, then a training raised one
    skill_services.set_skills(ann, [(printers, SkillLevel.INDEPENDENT)], actor=tom)
    skill_services.grant(
        ann, printers, SkillLevel.EXPERT, actor=tom, source="training: Printer fleet basics"
    )

    # when
    page = web(ann).get(MINE, HTTP_ACCEPT_LANGUAGE=language)

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "training: Printer fleet basics" in html
    assert ("My skills" if language == "en" else 'lang="zh-hans"') in html


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_people_outside_the_queue_have_no_skills_page(web, who, alice, dave):
    assert web({"alice": alice, "dave": dave}[who]).get(MINE).status_code == 403


def test_the_navigation_offers_team_to_leads_and_my_skills_to_engineers(web, team, tom, ann):
    assert 'href="/people/skills/"' in web(tom).get("/people/me/").content.decode()
    home = web(ann).get("/people/me/").content.decode()
    assert 'href="/people/me/"' in home and 'href="/people/skills/"' not in home


@override_settings(TICKETS_AUTO_ASSIGN=AssignMode.LEAST_LOADED)
def test_the_queue_and_the_work_view_say_why_nobody_was_assigned(
    working_hours, printers, alice, bob, ann
):
    # given: ann handles printers but works nights
    give_skills(ann, (printers, SkillLevel.INDEPENDENT))
    set_profile(
        ann,
        calendar=BusinessCalendar.objects.create(name="Nights", weekly_hours=[["20:00-23:00"]] * 7),
    )

    # when
    ticket = make_ticket(requester=alice, category=printers)

    # then
    why = "No engineer skilled in Printer / peripherals is on shift."
    queue = web_get(bob, "/tickets/queue/")
    assert why in queue
    assert why in web_get(bob, f"/tickets/{ticket.number}/")
    assert "打印机/外设" in web_get(bob, "/tickets/queue/", "zh-hans")
    assert why not in web_get(alice, f"/tickets/{ticket.number}/")


def web_get(user, path: str, language: str = "en") -> str:
    client = Client()
    client.force_login(user)
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
