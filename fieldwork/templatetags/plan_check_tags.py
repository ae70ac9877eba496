"""Template filters of the plan and the functional checks: the labels of their choices
(kept as values in timeline data) and the badge colour of a check's result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.forms import BoundField
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fieldwork.choices import CheckResult, PlanApproach
from fieldwork.views.plans import APPROACH_HINTS
from servicedesk.template_builtins import moment, text

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
    in Python (f-strings and ``text``: ``format_html`` cost ~30 µs a row)."""
    pk = text(check_id)
    buttons = []
    for value, label, css in results:
        v = text(value)
        checked = " checked" if current == value else ""
        buttons.append(
            f'<input type="radio" class="btn-check" name="result-{pk}" value="{v}" '
            f'id="check-{pk}-{v}"{checked}><label class="btn {text(css)}" '
            f'for="check-{pk}-{v}">{text(label)}</label>'
        )
    return mark_safe("\n".join(buttons))  # noqa: S308 - every value above was escaped


@register.simple_tag
def check_rows(panel: Mapping[str, Any]) -> SafeString:
    """The checklist's rows (``check_work.html``), written in Python: a long checklist is
    twenty rows of a dozen lookups each. ``panel``: the checklist panel's context, whose
    rows may carry what was posted and its errors (``views.checks._rerender``)."""
    editable = panel.get("editable")
    results = panel.get("results") or ()
    note_hint = text(panel.get("note_hint", ""))
    result_aria = text(_("Result"))
    note_label = text(_("Note"))
    out = []
    for row in panel.get("rows") or ():
        c = row["check"]
        pk = text(c.pk)
        result = c.result
        parts = [
            f'\n    <li class="list-group-item" id="check-{pk}" '
            f'data-result="{text(result or "pending")}">\n'
            '      <div class="d-flex flex-wrap align-items-start gap-2">\n'
            f'        <span class="me-auto text-break" id="check-{pk}-label">'
            f"{text(row['label'])}</span>\n"
            f'        <span class="badge {text(result_class(result))}">'
            f"{text(result_label(result))}</span>\n"
            "      </div>\n      "
        ]
        if c.checked_at:
            parts.append(
                f'<div class="small text-secondary">{text(c.checked_by.name)} · '
                f"{moment(c.checked_at)}</div>"
            )
        if editable:
            errors = row.get("errors") or {}
            note_error = errors.get("note")
            invalid = " is-invalid" if note_error else ""
            described = (
                f' aria-invalid="true" aria-describedby="check-{pk}-error"' if note_error else ""
            )
            parts.append(
                f'\n      <div class="check-row mt-2" role="group" '
                f'aria-labelledby="check-{pk}-label">\n'
                '        <div class="btn-group btn-group-sm flex-wrap" role="radiogroup" '
                f'aria-label="{result_aria}">{result_buttons(c.pk, row["result"], results)}'
                "</div>\n"
                f'        <label class="visually-hidden" for="check-{pk}-note">'
                f"{note_label}</label>\n"
                f'        <input type="text" class="form-control form-control-sm{invalid}" '
                f'name="note-{pk}" id="check-{pk}-note" maxlength="500" '
                f'value="{text(row["note"])}" placeholder="{note_hint}"{described}>\n'
                "      </div>\n      "
            )
            if errors:
                parts.append(
                    f'<div class="invalid-feedback d-block" id="check-{pk}-error">'
                    f"{text(errors.get('result', ''))} {text(errors.get('note', ''))}</div>"
                )
        elif c.note:
            tone = "text-danger" if result == "failed" else "text-secondary"
            parts.append(f'<div class="small text-break {tone}">{text(c.note)}</div>')
        parts.append("\n    </li>")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 - every value above was escaped


@register.simple_tag
def plan_input(f: BoundField, kind: str) -> SafeString:
    """One plan or check field by hand (``kind``: an input type, or ``textarea``), in
    Python: a widget template per field cost ~1 ms on every work view, an included
    template per field still ~0.15 ms."""
    auto_id = text(f.auto_id)
    field_id = text(f.id_for_label)
    name = text(f.html_name)
    max_length = getattr(f.field, "max_length", None)
    invalid = " is-invalid" if f.errors else ""
    described = f' aria-describedby="{auto_id}_help"' if f.help_text else ""
    aria_invalid = ' aria-invalid="true"' if f.errors else ""
    value = f.value()
    if kind == "textarea":
        control = (
            f'<textarea name="{name}" id="{field_id}" class="form-control{invalid}" rows="3" '
            f'maxlength="{text(max_length)}"{described}{aria_invalid}>'
            f"{text('' if value is None else value)}</textarea>\n  "
        )
    else:
        maxlength = f' maxlength="{text(max_length)}"' if max_length else ""
        if hasattr(value, "year"):  # ``{{ f.value|date:'Y-m-d\TH:i' }}`` in the reader's zone
            aware = isinstance(value, dt.datetime) and timezone.is_aware(value)
            shown = text(date_filter(timezone.localtime(value) if aware else value, r"Y-m-d\TH:i"))
        else:
            shown = text("" if value is None else value)
        control = (
            f'<input type="{text(kind)}" name="{name}" id="{field_id}" '
            f'class="form-control{invalid}"'
            f"{maxlength}"
            f"{' required' if f.field.required else ''} "
            f'value="{shown}"{described}{aria_invalid}>'
        )
    errors = "".join(f'<div class="invalid-feedback d-block">{text(e)}</div>' for e in f.errors)
    hint = (
        f'<small class="form-hint" id="{auto_id}_help">{text(f.help_text)}</small>'
        if f.help_text
        else ""
    )
    return mark_safe(  # noqa: S308 - every value above was escaped
        '<div class="mb-3">\n'
        f'  <label class="form-label{" required" if f.field.required else ""}" '
        f'for="{field_id}">{text(f.label)}</label>\n'
        f"  {control}\n  {errors}\n  {hint}\n</div>"
    )
