"""Field limits, read from the model fields: forms, serializers and services ask here.

A limit is written once, on the model field (``max_length``); text fields carry
``TEXT_MAX`` as theirs (PostgreSQL does not enforce it, the services do).
"""

from __future__ import annotations

from django.db import models

TEXT_MAX = 20_000


def max_length(model: type[models.Model], field: str) -> int:
    """The ``max_length`` of ``model.field`` (a ``CharField`` or a bounded ``TextField``)."""
    found = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    if found is None:
        raise LookupError(f"{model.__name__}.{field} has no max_length")
    return int(found)
