"""The people part of the demo: skills and coverage for the demo engineers, set by tom."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from accounts.models import Site
from people import demo
from people.models import EngineerProfile, Skill

pytestmark = pytest.mark.django_db


def test_the_demo_gives_each_engineer_skills_and_sites(bob, erin, tom):
    # given the offices and people the accounts part makes
    sites = {code: Site.objects.create(code=code, name=code) for code in ("sh-hq", "bj", "sz")}
    context = SimpleNamespace(users={"bob": bob, "erin": erin, "tom": tom}, sites=sites)
    assert not demo.is_loaded()

    # when: loaded in English (the sources are written in the loader's language)
    with translation.override("en"):
        demo.load(context)

    # then
    assert demo.is_loaded()
    levels = dict(Skill.objects.filter(engineer=erin).values_list("category__slug", "level"))
    assert levels["network"] == 3 and levels["hardware-printer"] == 2
    assert set(Skill.objects.values_list("source", flat=True)) == {"set by Tom"}
    bobs = EngineerProfile.objects.get(user=bob)
    assert sorted(bobs.sites.values_list("code", flat=True)) == ["sh-hq", "sz"]
    assert bobs.auto_assign and bobs.calendar is None
    assert demo.summary(context) == [f"{Skill.objects.count()} skills of 3 engineers"]
