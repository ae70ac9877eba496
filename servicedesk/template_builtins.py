"""Template filters every page may use without ``{% load %}`` (``TEMPLATES`` builtins).

``field``: one form field as every form shows it (label, widget, errors, help), the markup
``includes/field.html`` had, written in Python: a ticket page has a few dozen fields.

``moment``: a moment as people read it, in the reader's zone — ``<time datetime="…">`` with
the ISO instant for machines and ``2026-11-26 09:30`` for people. One conversion instead of
two ``date`` filters: the ticket page shows a few hundred of them.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def text(value: Any) -> str:
    """``{{ value }}`` as the template engine writes a string: escaped unless already safe.
    ``conditional_escape`` without its lazy-string wrapper, for tags that write many rows
    in Python (the same ``html.escape`` underneath)."""
    html = getattr(value, "__html__", None)
    return str(html()) if html is not None else escape(str(value))


@register.filter(is_safe=True)
def moment(value: dt.datetime | None, shape: str = "%Y-%m-%d %H:%M") -> SafeString | str:
    if not isinstance(value, dt.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    # Both parts are built from the datetime alone: nothing to escape.
    return mark_safe(f'<time datetime="{local.isoformat()}">{local.strftime(shape)}</time>')  # noqa: S308


def _errors_and_help(f: BoundField) -> str:
    errors = "".join(f'<div class="invalid-feedback d-block">{text(e)}</div>' for e in f.errors)
    if not f.help_text:
        return errors
    return (
        f'{errors}<small class="form-hint" id="{text(f.auto_id)}_help">{text(f.help_text)}</small>'
    )


def _checkbox(f: BoundField) -> str:
    return (
        f'<label class="form-check"><input type="checkbox" name="{text(f.html_name)}" '
        f'id="{text(f.id_for_label)}" class="form-check-input"{" checked" if f.value() else ""}>'
        f'<span class="form-check-label">{text(f.label)}</span></label>'
    )


def _radios(f: BoundField) -> str:
    invalid = " is-invalid" if f.errors else ""
    name = text(f.html_name)
    options = "".join(
        '<label class="form-check form-check-inline"><input type="radio" '
        f'class="form-check-input{invalid}" name="{name}" value="{text(radio.data["value"])}" '
        f'id="{text(radio.id_for_label)}"{" checked" if radio.data["selected"] else ""}>'
        f'<span class="form-check-label">{text(radio.choice_label)}</span></label>'
        for radio in f
    )
    described = f' aria-describedby="{text(f.auto_id)}_help"' if f.help_text else ""
    return (
        f'<fieldset{described}><legend class="form-label{" required" if f.field.required else ""}">'
        f"{text(f.label)}</legend>{options}</fieldset>"
    )


@register.simple_tag
def field(f: BoundField) -> SafeString:
    """Every value is escaped (``text``) or markup of Django's widgets; written with
    f-strings rather than ``format_html``: a ticket page has a few dozen fields."""
    kind = getattr(f.field.widget, "input_type", None)
    if kind == "checkbox":
        control = _checkbox(f)
    elif kind == "radio":
        control = _radios(f)
    else:
        control = (
            f'<label class="form-label{" required" if f.field.required else ""}" '
            f'for="{text(f.id_for_label)}">{text(f.label)}</label>'
            f"{text(f)}"  # the widget, as {{ field }} renders it (safe markup)
        )
    return mark_safe(f'<div class="mb-3">{control}{_errors_and_help(f)}</div>')  # noqa: S308
