"""Template filters of the plan and the functional checks: the labels of their choices
(kept as values in timeline data) and the badge colour of a check's result."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

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


@register.simple_tag
def result_buttons(
    check_id: int, current: str, results: Iterable[tuple[str, str, str]]
) -> SafeString:
    """A check's result as a row of toggle buttons (radio inputs ``result-<id>`` styled as
    buttons), the current one checked; one per row of the checklist's one form, so written
    in Python."""
    return format_html_join(
        "\n",
        '<input type="radio" class="btn-check" name="result-{}" value="{}" id="check-{}-{}"{}>'
        '<label class="btn {}" for="check-{}-{}">{}</label>',
        (
            (
                check_id,
                value,
                check_id,
                value,
                " checked" if current == value else "",
                css,
                check_id,
                value,
                label,
            )
            for value, label, css in results
        ),
    )
