"""Template filters of the plan and the functional checks: the labels of their choices
(kept as values in timeline data) and the badge colour of a check's result."""

from __future__ import annotations

from django import template

from fieldwork.choices import CheckResult, PlanApproach
from fieldwork.views.plans import APPROACH_HINTS

register = template.Library()

_RESULT_CLASS: dict[str, str] = {
    CheckResult.PASSED.value: "bg-green-lt",
    CheckResult.FAILED.value: "bg-red-lt",
    CheckResult.NOT_APPLICABLE.value: "bg-secondary-lt",
}


@register.filter
def approach_label(value: object) -> str:
    try:
        return str(PlanApproach(str(value)).label)
    except ValueError:
        return str(value)


@register.filter
def result_label(value: object) -> str:
    try:
        return str(CheckResult(str(value)).label)
    except ValueError:
        return str(value)


@register.filter
def result_class(value: object) -> str:
    return _RESULT_CLASS.get(str(value), "bg-yellow-lt")


@register.filter
def approach_hint(value: object) -> str:
    """The engineer's one-line hint for an approach (the plan form)."""
    try:
        return str(APPROACH_HINTS[PlanApproach(str(value))])
    except (KeyError, ValueError):
        return ""
