"""The admin: a site's own assignment mode is set there; skills and profiles are readable."""

from __future__ import annotations

import pytest

from accounts.models import Site
from people.choices import AssignMode, SkillLevel
from people.models import SiteAssignment, Skill

pytestmark = pytest.mark.django_db


def test_an_admin_sets_a_sites_assignment_mode(web, admin):
    site = Site.objects.create(code="bj", name="Beijing branch")
    client = web(admin)
    assert client.get("/admin/people/siteassignment/add/").status_code == 200

    response = client.post(
        "/admin/people/siteassignment/add/", {"site": site.pk, "mode": AssignMode.ROUND_ROBIN}
    )

    assert response.status_code == 302
    assert SiteAssignment.objects.get(site=site).mode == AssignMode.ROUND_ROBIN


def test_the_admins_lists_open(web, admin, printers, bob):
    Skill.objects.create(engineer=bob, category=printers, level=SkillLevel.INDEPENDENT)
    client = web(admin)
    for model in ("skill", "engineerprofile", "siteassignment", "engineerload"):
        assert client.get(f"/admin/people/{model}/").status_code == 200, model


def test_a_skill_saved_in_the_admin_says_who_set_it(web, admin, printers, bob):
    response = web(admin).post(
        "/admin/people/skill/add/",
        {"engineer": bob.pk, "category": printers.pk, "level": SkillLevel.EXPERT, "source": ""},
    )
    assert response.status_code == 302
    skill = Skill.objects.get(engineer=bob)
    assert skill.updated_by == admin and admin.name in skill.source
