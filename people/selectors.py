"""Reads of people for assignment, the team skills matrix and the engineers API.

The one load figure everyone sees (the matrix, the API, automatic assignment) is
``EngineerLoad``: each engineer's open tickets and their sum of ``LOAD_WEIGHTS``, kept by a
trigger on the tickets table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Site, User
from people.models import EngineerLoad, EngineerProfile, Skill
from tickets import selectors as ticket_selectors
from tickets.choices import Priority
from tickets.models import Category

# How much one open ticket weighs in an engineer's load, by priority: a high-priority
# ticket (someone's work stopped, answered 7x24) counts as three low ones.
LOAD_WEIGHTS: dict[str, int] = {Priority.HIGH: 3, Priority.MEDIUM: 2, Priority.LOW: 1}


@dataclass(frozen=True)
class Load:
    """An engineer's open tickets: how many, and their sum of ``LOAD_WEIGHTS``."""

    open: int = 0
    weighted: int = 0


def engineers() -> QuerySet[User]:
    """Everyone whose role works the queue (engineers and tech leads), by username."""
    return ticket_selectors.engineers()


def team(
    *, site: Site | None = None, category: Category | None = None, q: str = ""
) -> QuerySet[User]:
    """The engineers as the matrix and the API list them, by username, with their profile
    (its calendar), open load, covered sites and skills (with categories): four queries
    for any number of people.

    ``site``: those who cover it (their own sites include it, or they have none: every
    site); ``category``: those with a skill in it, at any level; ``q``: part of the
    username or the name."""
    people = User.objects.filter(pk__in=engineers().order_by().values("pk"))
    if site is not None:
        covered = EngineerProfile.sites.through.objects.filter(
            engineerprofile__user_id=OuterRef("pk")
        )
        people = people.filter(~Exists(covered) | Exists(covered.filter(site_id=site.pk)))
    if category is not None:
        people = people.filter(
            Exists(Skill.objects.filter(engineer_id=OuterRef("pk"), category_id=category.pk))
        )
    if q:
        people = people.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    return (
        people.select_related("engineer_profile__calendar", "ticket_load")
        .prefetch_related(
            Prefetch("engineer_profile__sites", queryset=Site.objects.order_by("name")),
            Prefetch(
                "skills",
                queryset=Skill.objects.select_related("category").order_by(
                    "category__sort_order", "category__slug"
                ),
            ),
        )
        .order_by("username")
    )


def get_engineer(username: str) -> User:
    """One engineer, as ``team`` loads them; ``User.DoesNotExist`` for anyone else."""
    found = team().filter(username=username).first()
    if found is None:
        raise User.DoesNotExist
    return found


def profile_of(user: User) -> EngineerProfile | None:
    """The engineer's profile (loaded with them by ``team``), or ``None`` until someone set
    their skills or profile."""
    try:
        return user.engineer_profile
    except EngineerProfile.DoesNotExist:
        return None


def load_of(user: User) -> Load:
    """The engineer's open load (loaded with them by ``team``)."""
    try:
        row = user.ticket_load
    except EngineerLoad.DoesNotExist:
        return Load()
    return Load(row.open_tickets, row.weighted)


def covered_sites(user: User) -> list[Site]:
    """The sites the engineer covers (prefetched by ``team``); empty: every site."""
    profile = profile_of(user)
    return list(profile.sites.all()) if profile is not None else []
