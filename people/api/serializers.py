"""Shapes of the engineers API: an engineer with their sites, skills and open load; a skill
set to PUT. Writes pass their values to ``people.services``, which decides."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from people import selectors
from people.choices import SkillLevel
from people.models import Skill
from tickets.models import Category

# At most one item per category: a longer body is refused before any lookup.
MAX_SKILLS = 200


class CoveredSiteSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


# One skill as the API shows it (a plain schema: a serializer field may not be named
# "source").
SKILLS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "category": {"type": "string", "description": "The category's slug."},
            "name": {"type": "string", "description": "Its name, in the reader's language."},
            "level": {"type": "integer", "minimum": 1, "maximum": 3},
            "source": {"type": "string", "description": "Who or what set it."},
        },
        "required": ["category", "name", "level", "source"],
    },
}


def skill_row(skill: Skill) -> dict[str, Any]:
    category = skill.category
    return {
        "category": category.slug,
        "name": category.label,
        "level": skill.level,
        "source": skill.source,
    }


class EngineerSerializer(serializers.Serializer[User]):
    """One engineer. ``sites`` empty: they cover every site; ``calendar`` null: they work
    by the desk's default calendar; ``weighted_load``: open tickets weighted high 3, medium
    2, low 1 (what ``least_loaded`` compares)."""

    username = serializers.CharField()
    name = serializers.CharField()
    sites = serializers.SerializerMethodField()
    skills = serializers.SerializerMethodField()
    open_tickets = serializers.SerializerMethodField()
    weighted_load = serializers.SerializerMethodField()
    auto_assign = serializers.SerializerMethodField()
    calendar = serializers.SerializerMethodField()

    @extend_schema_field(CoveredSiteSerializer(many=True))
    def get_sites(self, user: User) -> list[dict[str, Any]]:
        return [{"code": s.code, "name": s.name} for s in selectors.covered_sites(user)]

    @extend_schema_field(SKILLS_SCHEMA)
    def get_skills(self, user: User) -> list[dict[str, Any]]:
        return [skill_row(skill) for skill in user.skills.all()]

    def get_open_tickets(self, user: User) -> int:
        return selectors.load_of(user).open

    def get_weighted_load(self, user: User) -> int:
        return selectors.load_of(user).weighted

    def get_auto_assign(self, user: User) -> bool:
        profile = selectors.profile_of(user)
        return profile is None or profile.auto_assign

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_calendar(self, user: User) -> str | None:
        profile = selectors.profile_of(user)
        return profile.calendar.name if profile is not None and profile.calendar else None


class SkillItemSerializer(serializers.Serializer[Any]):
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.filter(is_active=True),
        error_messages={"does_not_exist": _("No active category with the slug “{value}”.")},
    )
    level = serializers.IntegerField(
        min_value=SkillLevel.LEARNING,
        max_value=SkillLevel.EXPERT,
        help_text="1 learning, 2 independent, 3 expert.",
    )


class SkillSetSerializer(serializers.ListSerializer[Any]):
    """The whole set: a category at most once."""

    child = SkillItemSerializer()
    max_length = MAX_SKILLS

    def validate(self, attrs: Any) -> Any:
        seen: set[int] = set()
        for item in attrs:
            category = item["category"]
            if category.pk in seen:
                raise serializers.ValidationError(
                    {"category": [_("“%(slug)s” is given twice.") % {"slug": category.slug}]}
                )
            seen.add(category.pk)
        return attrs
