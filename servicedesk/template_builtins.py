"""Template filters every page may use without ``{% load %}`` (``TEMPLATES`` builtins).

``field``: one form field as every form shows it (label, widget, errors, help), the markup
``includes/field.html`` had, written in Python: a ticket page has a few dozen fields.

``moment``: a moment as people read it, in the reader's zone — ``<time datetime="…">`` with
the ISO instant for machines and ``2026-11-26 09:30`` for people. One conversion instead of
two ``date`` filters: the ticket page shows a few hundred of them.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(is_safe=True)
def moment(value: dt.datetime | None, shape: str = "%Y-%m-%d %H:%M") -> SafeString | str:
    if not isinstance(value, dt.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    # Both parts are built from the datetime alone: nothing to escape.
    return mark_safe(f'<time datetime="{local.isoformat()}">{local.strftime(shape)}</time>')  # noqa: S308


def _errors_and_help(f: BoundField) -> str:
    errors = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in f.errors)
    )
    help_text = (
        format_html('<small class="form-hint" id="{}_help">{}</small>', f.auto_id, f.help_text)
        if f.help_text
        else ""
    )
    return f"{errors}{help_text}"


def _checkbox(f: BoundField) -> str:
    return format_html(
        '<label class="form-check"><input type="checkbox" name="{}" id="{}" '
        'class="form-check-input"{}><span class="form-check-label">{}</span></label>',
        f.html_name,
        f.id_for_label,
        mark_safe(" checked") if f.value() else "",  # noqa: S308
        f.label,
    )


def _radios(f: BoundField) -> str:
    invalid = " is-invalid" if f.errors else ""
    options = format_html_join(
        "",
        '<label class="form-check form-check-inline"><input type="radio" '
        'class="form-check-input{}" name="{}" value="{}" id="{}"{}>'
        '<span class="form-check-label">{}</span></label>',
        (
            (
                invalid,
                f.html_name,
                radio.data["value"],
                radio.id_for_label,
                mark_safe(" checked") if radio.data["selected"] else "",  # noqa: S308
                radio.choice_label,
            )
            for radio in f
        ),
    )
    return format_html(
        '<fieldset{}><legend class="form-label{}">{}</legend>{}</fieldset>',
        format_html(' aria-describedby="{}_help"', f.auto_id) if f.help_text else "",
        " required" if f.field.required else "",
        f.label,
        options,
    )


@register.simple_tag
def field(f: BoundField) -> SafeString:
    kind = getattr(f.field.widget, "input_type", None)
    if kind == "checkbox":
        control = _checkbox(f)
    elif kind == "radio":
        control = _radios(f)
    else:
        control = format_html(
            '<label class="form-label{}" for="{}">{}</label>{}',
            " required" if f.field.required else "",
            f.id_for_label,
            f.label,
            f,  # the widget, as {{ field }} renders it
        )
    return mark_safe(f'<div class="mb-3">{control}{_errors_and_help(f)}</div>')  # noqa: S308
