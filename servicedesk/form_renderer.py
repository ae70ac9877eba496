"""Django's form renderer, with the widgets every form uses rendered in Python.

Each widget otherwise renders through two or three templates (the widget's, ``input.html``,
``attrs.html``); a ticket page has a few dozen fields and spent ~10 % of its time there. The
output is the markup of Django's own templates (``django/forms/widgets/``), whitespace
included; anything else (a project template, an unusual option template) goes the usual
way. ``FORM_RENDERER`` in settings names this class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
OPTION = WIDGETS + "select_option.html"


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: ``True`` as a bare attribute, ``False`` left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{conditional_escape(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    body = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{body}</textarea>"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION:
                return None
            out.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )  # the option template's own line end, which its include keeps
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


INPUTS = ("text", "number", "email", "url", "password", "hidden", "date", "datetime", "time")
FAST: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"{WIDGETS}{name}.html": _input for name in (*INPUTS, "search", "tel", "checkbox")},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
}


class FastWidgetRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> SafeString | str:
        fast = FAST.get(template_name)
        if fast is not None:
            html = fast(context["widget"])
            if html is not None:
                return mark_safe(html.strip())  # noqa: S308 - every value above went through escaping
        return super().render(template_name, context, request)
