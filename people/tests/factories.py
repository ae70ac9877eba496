"""Plain factory functions for skills and engineer profiles (set-up data, written directly:
the services and their permission checks have their own tests)."""

from __future__ import annotations

from typing import Any

from accounts.models import Site, User
from people.models import EngineerProfile, Skill
from tickets.models import Category


def give_skills(engineer: User, *items: tuple[Category, int]) -> None:
    """Add (or change) these skills of ``engineer``, with a profile if they have none."""
    EngineerProfile.objects.get_or_create(user=engineer)
    for category, level in items:
        Skill.objects.update_or_create(
            engineer=engineer, category=category, defaults={"level": level}
        )


def set_profile(
    engineer: User, *, sites: list[Site] | None = None, **fields: Any
) -> EngineerProfile:
    """The engineer's profile with these fields (created if missing) and covered sites."""
    profile, _created = EngineerProfile.objects.update_or_create(user=engineer, defaults=fields)
    if sites is not None:
        profile.sites.set(sites)
    return profile
