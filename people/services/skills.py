"""An engineer's skills: a tech lead sets the whole set; training raises one.

``set_skills`` replaces the set (the matrix's edit form, the API's PUT); ``grant`` only
ever raises a level (an assessment passed in ``training``) so a pass never undoes what a
lead set higher. Both write ``source`` for the engineer's "my skills" page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from people import permissions, selectors
from people.choices import SkillLevel
from people.models import EngineerProfile, Skill
from tickets.errors import ActionForbidden
from tickets.models import Category


def _checked_level(level: int) -> int:
    if level not in SkillLevel.values:
        raise ValidationError({"level": _("Choose a level from 1 to 3.")})
    return int(level)


def check_engineer(engineer: User) -> None:
    """Skills and profiles belong to people who work the queue (engineers, tech leads)."""
    if not engineer.is_active or not selectors.engineers().filter(pk=engineer.pk).exists():
        raise ValidationError({"engineer": _("This person does not work the queue.")})


@transaction.atomic
def set_skills(
    engineer: User, items: Iterable[tuple[Category, int]], *, actor: User
) -> list[Skill]:
    """Make ``items`` the engineer's whole set of skills (tech leads only; a category given
    twice: the last level stands). Unchanged skills keep their ``source``; changed and new
    ones say who set them. Returns the skills, in category order."""
    if not permissions.can_edit_team(actor):
        raise ActionForbidden(_("Only tech leads change skills."))
    check_engineer(engineer)
    wanted = {category.pk: (category, _checked_level(level)) for category, level in items}
    EngineerProfile.objects.get_or_create(user=engineer)
    # Serialises two leads editing the same person: the second sees the first's set.
    current = {
        skill.category_id: skill
        for skill in Skill.objects.select_for_update(no_key=True).filter(engineer=engineer)
    }
    Skill.objects.filter(engineer=engineer).exclude(category_id__in=wanted).delete()
    source = _("set by %(name)s") % {"name": actor.name}
    changed: list[Skill] = []
    created: list[Skill] = []
    for category_id, (category, level) in wanted.items():
        skill = current.get(category_id)
        if skill is None:
            created.append(
                Skill(
                    engineer=engineer,
                    category=category,
                    level=level,
                    source=source,
                    updated_by=actor,
                )
            )
        elif skill.level != level:
            skill.level, skill.source, skill.updated_by = level, source, actor
            changed.append(skill)
    Skill.objects.bulk_create(created)
    for skill in changed:
        skill.save(update_fields=["level", "source", "updated_by", "updated_at"])
    return list(
        Skill.objects.filter(engineer=engineer)
        .select_related("category")
        .order_by("category__sort_order", "category__slug")
    )


@transaction.atomic
def grant(engineer: User, category: Category, level: int, *, actor: User, source: str) -> Skill:
    """Raise the engineer's skill in ``category`` to ``level`` if it is below it (or add
    it); a higher level already held stays, with its source. Who may grant is the
    caller's rule (training: whoever scores the assessment)."""
    level = _checked_level(level)
    EngineerProfile.objects.get_or_create(user=engineer)
    skill, created = Skill.objects.select_for_update(no_key=True).get_or_create(
        engineer=engineer,
        category=category,
        defaults={"level": level, "source": source, "updated_by": actor},
    )
    if not created and skill.level < level:
        skill.level, skill.source, skill.updated_by = level, source, actor
        skill.save(update_fields=["level", "source", "updated_by", "updated_at"])
    return skill
