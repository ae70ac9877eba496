"""Notification kinds: each feature declares its own as ``TextChoices`` and registers them.

The outbox knows no feature; it asks this registry for a kind's label when it
renders a message (in the recipient's language) and checks, when a row is
built, that the kind was declared, so no service writes a bare string.
"""

from __future__ import annotations

from django.db import models

_labels: dict[str, models.TextChoices] = {}


def register(choices: type[models.TextChoices]) -> None:
    """Declare a feature's kinds (call from its ``AppConfig.ready``). Idempotent."""
    for member in choices:
        known = _labels.get(member.value)
        if known is not None and type(known) is not choices:
            raise ValueError(f"notification kind {member.value!r} is declared twice")
        _labels[member.value] = member


def is_registered(kind: str) -> bool:
    return kind in _labels


def registered() -> list[models.TextChoices]:
    """Every declared kind, in the order the features registered them (the preferences page)."""
    return list(_labels.values())


def label(kind: str) -> str:
    """The kind's label in the active language; an unknown kind shows as itself."""
    member = _labels.get(kind)
    return str(member.label) if member is not None else kind
