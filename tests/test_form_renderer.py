"""The fast widget renderer writes exactly what Django's templates write.

Every form class the project ships is rendered field by field, empty and bound with values
that need escaping, once through ``servicedesk.form_renderer`` and once through Django's own
template renderer: the markup must be identical, so no page changes by the speed-up.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from servicedesk.form_renderer import FAST, FastWidgetRenderer

APPS = ["accounts", "tickets", "fieldwork", "vendors", "incidents", "assets", "notifications"]
HOSTILE = "<b>\"x\" & 'y'</b>"


def project_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".tests" in info.name or ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == info.name:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def instantiate(form_class: type[forms.BaseForm], data: dict[str, Any] | None) -> Any:
    for kwargs in ({}, {"ticket": None}, {"user": None}):
        try:
            return form_class(data=data, **kwargs) if data is not None else form_class(**kwargs)
        except TypeError:
            continue
        except Exception:  # noqa: BLE001 - a form needing real objects (a request…) is left out
            return None
    return None


@pytest.mark.django_db
def test_every_field_of_every_form_renders_as_djangos_templates_would() -> None:
    fast, slow = FastWidgetRenderer(), DjangoTemplates()
    classes = project_forms()
    compared_forms, fields = set(), 0
    for form_class in classes:
        for data in (None, {}):
            form = instantiate(form_class, data)
            if form is None:
                continue
            if data is not None:
                form.data = dict.fromkeys(form.fields, HOSTILE)
                form.is_bound = True
                try:
                    form.full_clean()  # the widgets show the errors (aria-invalid)
                except Exception:  # noqa: BLE001, S112 - cleaning needs a request (log-in forms)
                    continue
            for name in form.fields:
                bound = form[name]
                widget = bound.field.widget
                attrs = bound.build_widget_attrs({})
                value = bound.value()
                ours = widget.render(bound.html_name, value, attrs, renderer=fast)
                theirs = widget.render(bound.html_name, value, attrs, renderer=slow)
                assert ours == theirs, f"{form_class.__qualname__}.{name}"
                fields += 1
            compared_forms.add(form_class)
    # Forms that need real objects to be built are left out; most build empty.
    assert len(classes) > 20
    assert len(compared_forms) >= 0.7 * len(classes), sorted(
        c.__qualname__ for c in set(classes) - compared_forms
    )
    assert fields > 100


def test_hostile_values_and_options_are_escaped_as_django_does() -> None:
    class Sample(forms.Form):
        text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": HOSTILE}))
        body = forms.CharField(widget=forms.Textarea)
        pick = forms.ChoiceField(choices=[("a", HOSTILE), ("Group", [("b", "B"), ("c", "<C>")])])
        flag = forms.BooleanField(required=False)
        when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    form = Sample(data={"text": HOSTILE, "body": HOSTILE, "pick": "c", "flag": "on", "when": "x"})
    fast, slow = FastWidgetRenderer(), DjangoTemplates()
    for name in form.fields:
        bound = form[name]
        html_fast = bound.as_widget(attrs=None)
        form.renderer = slow
        html_slow = form[name].as_widget(attrs=None)
        form.renderer = fast
        assert html_fast == html_slow
        assert "<b>" not in html_fast
    assert {"django/forms/widgets/text.html", "django/forms/widgets/select.html"} <= set(FAST)
