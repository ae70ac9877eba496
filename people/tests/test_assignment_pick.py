"""The statements each filing runs: ``assignment.pick`` (the choice made in SQL, a few rows
back) chooses exactly as the rules read row by row (``eligible_now``, then ``choose``),
which also say why nobody: random desks, every kind of site, both modes, both priorities;
``_take_turn`` reads the engineer whole."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from accounts.models import Site
from accounts.roles import Role
from accounts.tests.factories import make_user
from people import assignment
from people.choices import AssignMode, SkillLevel
from people.models import EngineerLoad
from people.tests.factories import give_skills, set_profile
from sla.models import BusinessCalendar
from tickets.choices import Priority
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ROLES = [
    (Role.ENGINEER,),
    (Role.ENGINEER,),
    (Role.TECH_LEAD,),
    (Role.REQUESTER,),
    (Role.MANAGER,),
]


def _desk(rng: random.Random, printers, now: dt.datetime) -> list[Site]:
    """Fourteen people with random roles, skills, profiles, sites, limits, turns and loads
    (ties on purpose: few distinct loads and turns)."""
    sites = [Site.objects.create(code=f"s{i}", name=f"Site {i}") for i in range(3)]
    calendars = [
        None,  # the desk's default: on shift on a working Wednesday morning
        BusinessCalendar.objects.create(name="Nights", weekly_hours=[["20:00-23:00"]] * 7),
        BusinessCalendar.objects.create(name="Always", weekly_hours=[["00:00-24:00"]] * 7),
    ]
    turns = [None, now - dt.timedelta(hours=2), now - dt.timedelta(hours=1), now]
    for i in range(14):
        person = make_user(f"p{i:02d}", *rng.choice(ROLES), is_superuser=rng.random() < 0.1)
        if rng.random() < 0.08:
            person.is_active = False
            person.save(update_fields=["is_active"])
        skills = [(printers, rng.choice(list(SkillLevel)))]
        if rng.random() < 0.3:
            skills.append((printers.parent, rng.choice(list(SkillLevel))))
        give_skills(person, *skills)
        if rng.random() < 0.8:
            set_profile(
                person,
                sites=rng.sample(sites, rng.choice([0, 0, 1, 2])),
                auto_assign=rng.random() < 0.85,
                calendar=rng.choice(calendars),
                last_assigned_at=rng.choice(turns),
            )
        else:
            person.engineer_profile.delete()  # no profile at all: on, every site, default
        if rng.random() < 0.2:
            person.limited_to_sites.set(rng.sample(sites, rng.choice([1, 2])))
        weighted = rng.choice([0, 0, 2, 3, 4])
        if weighted:
            EngineerLoad.objects.create(engineer=person, open_tickets=1, weighted=weighted)
    return sites


@pytest.mark.parametrize("seed", range(10), ids=lambda seed: f"desk-{seed}")
def test_the_statement_chooses_as_the_rules_row_by_row(working_hours, printers, seed):
    # given
    sites = _desk(random.Random(seed), printers, working_hours)

    chosen_some = 0
    for site in [None, *sites]:
        for priority in (Priority.MEDIUM, Priority.HIGH):
            probe = Ticket(category=printers, site=site, priority=priority)
            eligible, note = assignment.eligible_now(probe, working_hours)
            for mode in (AssignMode.LEAST_LOADED, AssignMode.ROUND_ROBIN):
                # when
                got = assignment.pick(mode, probe, working_hours)

                # then
                where = (getattr(site, "code", None), priority, mode)
                if note is not None:
                    assert got is None, where
                    continue
                chosen, experts_first = assignment.choose(mode, probe, eligible)
                assert got is not None, where
                found, count, narrowed = got
                expected = (chosen.pk, chosen.level, chosen.load, len(eligible), experts_first)
                assert (found.pk, found.level, found.load, count, narrowed) == expected, where
                chosen_some += 1
    assert chosen_some, "a desk where nobody is ever eligible tests nothing"


def test_nobody_at_all_is_none(working_hours, printers):
    probe = Ticket(category=printers, site=None, priority=Priority.MEDIUM)
    assert assignment.pick(AssignMode.LEAST_LOADED, probe, working_hours) is None


def test_the_engineer_read_with_their_turn_is_the_whole_row(working_hours, ann):
    # when
    read = assignment._take_turn(ann.pk, working_hours)

    # then
    fresh = type(ann).objects.get(pk=ann.pk)
    for field in type(ann)._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(fresh, field.attname), field.name
    assert read._state.adding is False and read._state.db == "default"
    assert fresh.engineer_profile.last_assigned_at == working_hours
