"""Notification kinds: each feature declares its own as ``TextChoices`` and registers them.

The outbox knows no feature; it asks this registry for a kind's label when it
renders a message (in the recipient's language) and checks, when a row is
built, that the kind was declared, so no service writes a bare string.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from notifications.choices import URGENCY_ORDER

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


# kind -> the least urgency its rows travel with (``at_least``)
_floors: dict[str, str] = {}


def at_least(urgency: str, *kind_values: str) -> None:
    """Declare that rows of these kinds are never less urgent than ``urgency`` (a major
    incident's alerts are high: never folded, through quiet hours). Call from the
    feature's ``AppConfig.ready``. Idempotent; the higher declaration wins."""
    for kind in kind_values:
        known = _floors.get(str(kind))
        if known is None or URGENCY_ORDER.index(urgency) > URGENCY_ORDER.index(known):
            _floors[str(kind)] = str(urgency)


def urgency_of(kind: str, asked: str) -> str:
    """The urgency a row of ``kind`` travels with when the feature asked for ``asked``."""
    floor = _floors.get(kind)
    if floor is None or URGENCY_ORDER.index(asked) >= URGENCY_ORDER.index(floor):
        return asked
    return floor


# kind -> what its digest counts, with the count ("37 tickets breached their response time")
_digest_words: dict[str, Any] = {}


def digest_wording(kind: str, words: Any) -> None:
    """Say what a digest of ``kind`` counts: an ``ngettext_lazy(singular, plural, "count")``
    whose text names the count as ``%(count)d`` ("%(count)d tickets breached their response
    time"). Kinds without one get the generic wording (``digests.summary``). Call from the
    feature's ``AppConfig.ready``. Idempotent."""
    _digest_words[str(kind)] = words


def digest_words(kind: str, count: int) -> str | None:
    """The kind's digest wording for ``count`` items in the active language, or ``None``."""
    words = _digest_words.get(str(kind))
    return None if words is None else str(words % {"count": count})
