"""Input cleaning shared by the knowledge base's services (articles, scripts): each refusal
is a ``ValidationError`` naming the field, as the pages and the API show it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def text(field: str, value: Any, *, limit: int, required: bool = False, strip: bool = True) -> str:
    """Text of at most ``limit`` characters (``None`` is empty); ``strip=False`` keeps the
    value's own whitespace (a script's body), still refusing one of whitespace alone when
    ``required``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Give text.")})
    if "\x00" in value:
        raise ValidationError({field: _("Null characters are not allowed.")})
    if strip:
        value = value.strip()
    if required and not value.strip():
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": f"{limit:,}"}})
    return str(value)


def names(
    field: str, value: Any, *, limit: int, most: int, not_a_list: str, too_many: str
) -> list[str]:
    """Names (scenarios, platforms), each trimmed and its inner spaces folded, each once
    (letter case ignored: the first spelling stays), in the given order, at most ``most``."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError({field: not_a_list})
    found: dict[str, str] = {}
    for raw in value:
        name = " ".join(text(field, raw, limit=limit).split())
        if name:
            found.setdefault(name.casefold(), name)
    if len(found) > most:
        raise ValidationError({field: too_many % {"count": most}})
    return list(found.values())


def choice(field: str, value: Any, choices: type[models.TextChoices]) -> str:
    if value not in choices.values:
        raise ValidationError(
            {field: _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}}
        )
    return str(value)
