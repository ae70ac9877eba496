"""The priority matrix (SPEC R2.4): urgency x impact, security always high."""

from __future__ import annotations

from tickets.choices import Impact, Priority, Urgency

PRIORITY_MATRIX: dict[tuple[str, str], str] = {
    (Urgency.INTERRUPTED, Impact.SINGLE): Priority.MEDIUM,
    (Urgency.INTERRUPTED, Impact.MULTIPLE): Priority.HIGH,
    (Urgency.INTERRUPTED, Impact.NETWORK): Priority.HIGH,
    (Urgency.ABNORMAL, Impact.SINGLE): Priority.MEDIUM,
    (Urgency.ABNORMAL, Impact.MULTIPLE): Priority.MEDIUM,
    (Urgency.ABNORMAL, Impact.NETWORK): Priority.HIGH,
    (Urgency.EXPERIENCE, Impact.SINGLE): Priority.LOW,
    (Urgency.EXPERIENCE, Impact.MULTIPLE): Priority.LOW,
    (Urgency.EXPERIENCE, Impact.NETWORK): Priority.MEDIUM,
}


def derive_priority(*, impact: str, urgency: str, is_security: bool = False) -> str:
    """The priority a ticket gets from its impact and urgency, unless overridden with a reason."""
    if is_security:
        return Priority.HIGH
    return PRIORITY_MATRIX[(urgency, impact)]
