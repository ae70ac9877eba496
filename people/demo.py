"""The people part of the demo data (``manage.py load_demo``): what the demo engineers are
skilled in, the sites they cover and their working hours.

Runs after the tickets part (``INSTALLED_APPS`` order), through ``people.services`` as tom
(the tech lead), so each skill says "set by 张涛" on the engineer's "my skills" page.
Automatic assignment stays off (``TICKETS_AUTO_ASSIGN=off``, no site override): the demo
tickets keep the assignees their own part gave them. Turn it on to try it:
``TICKETS_AUTO_ASSIGN=least_loaded`` (or a site's mode in the admin); a printer ticket
filed in Shanghai on a working day then goes to bob or erin, a VPN one to erin.
"""

from __future__ import annotations

from typing import Protocol

from accounts.models import Site, User
from people.choices import SkillLevel
from people.models import Skill
from people.services import profiles, skills
from tickets.models import Category

LEARN, INDEP, EXPERT = SkillLevel.LEARNING, SkillLevel.INDEPENDENT, SkillLevel.EXPERT
# username -> (category slug, level); a parent category covers its sub-categories.
SKILLS: dict[str, list[tuple[str, int]]] = {
    "bob": [
        ("hardware-pc", EXPERT),
        ("hardware-printer", INDEP),
        ("software-office", INDEP),
        ("software-os", INDEP),
        ("permission-account", INDEP),
        ("network-wired", LEARN),
    ],
    "erin": [
        ("network", EXPERT),
        ("hardware-printer", INDEP),
        ("software-business", INDEP),
        ("configuration-email", INDEP),
        ("security-phishing", LEARN),
    ],
    "tom": [
        ("hardware-server", EXPERT),
        ("software-business", EXPERT),
        ("security", EXPERT),
        ("network-vpn", INDEP),
    ],
}
# username -> the sites they cover (none: every site)
SITES: dict[str, list[str]] = {"bob": ["sh-hq", "sz"], "erin": ["bj"], "tom": []}


class Context(Protocol):
    """What this part reads of the demo context: the people and offices made before."""

    users: dict[str, User]
    sites: dict[str, Site]


def load(context: Context) -> None:
    lead = context.users["tom"]
    categories = {c.slug: c for c in Category.objects.filter(is_active=True)}
    for username, items in SKILLS.items():
        engineer = context.users[username]
        skills.set_skills(
            engineer,
            [(categories[slug], level) for slug, level in items if slug in categories],
            actor=lead,
        )
        profiles.update_profile(
            engineer,
            actor=lead,
            sites=[context.sites[code] for code in SITES[username]],
            calendar=None,
            auto_assign=True,
        )


def is_loaded() -> bool:
    return Skill.objects.filter(engineer__username="bob").exists()


def summary(context: Context) -> list[str]:
    count = Skill.objects.filter(engineer__username__in=list(SKILLS)).count()
    return [f"{count} skills of {len(SKILLS)} engineers"]
