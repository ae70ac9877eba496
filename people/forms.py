"""Forms of the people pages. They parse what a tech lead chose; ``people.services`` decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Site
from people.choices import SkillLevel
from sla.models import BusinessCalendar
from tickets.models import Category


class MatrixFilterForm(forms.Form):
    """The matrix's filters: who covers a site, who has a category, by name."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    site = forms.ModelChoiceField(
        label=_("Covers site"),
        queryset=Site.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label=_("Any site"),
    )
    category = forms.ModelChoiceField(
        label=_("Skilled in"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        to_field_name="slug",
        empty_label=_("Any category"),
    )

    def __init__(self, *args: Any, categories: Sequence[Category] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        # In the matrix's own order, the names in the reader's language (no second query).
        field.choices = [("", str(field.empty_label)), *((c.slug, c.label) for c in categories)]
        for name in ("site", "category"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-control"


def level_choices() -> list[tuple[str, str]]:
    """Blank (no skill) and the three levels, in the reader's language."""
    return [("", "—"), *((str(value), f"{value} · {label}") for value, label in SkillLevel.choices)]


class EngineerForm(forms.Form):
    """An engineer's skills (one level per category, blank for none), the sites they cover,
    their calendar and whether automatic assignment may pick them."""

    sites = forms.ModelMultipleChoiceField(
        label=_("Sites covered"),
        queryset=Site.objects.order_by("name"),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every site."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Working hours"),
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
        empty_label=_("The desk's default calendar"),
    )
    auto_assign = forms.BooleanField(
        label=_("Automatic assignment may pick them"),
        required=False,
        help_text=_("Untick while they are on leave."),
    )

    def __init__(self, *args: Any, categories: Sequence[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.fields["calendar"].widget.attrs["class"] = "form-select"
        levels = level_choices()
        for category in self.categories:
            self.fields[self.skill_field(category)] = forms.ChoiceField(
                label=category.label, choices=levels, required=False
            )
            self.fields[self.skill_field(category)].widget.attrs["class"] = "form-select"

    @staticmethod
    def skill_field(category: Category) -> str:
        return f"skill_{category.slug}"

    def skill_rows(self) -> list[tuple[Category, forms.BoundField]]:
        """Each category with its level's field, for the template."""
        return [(c, self[self.skill_field(c)]) for c in self.categories]

    def skills(self) -> list[tuple[Category, int]]:
        """The chosen levels (after ``is_valid``)."""
        return [
            (c, int(self.cleaned_data[self.skill_field(c)]))
            for c in self.categories
            if self.cleaned_data.get(self.skill_field(c))
        ]
