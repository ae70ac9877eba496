"""The survey form on the requester's ticket page."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from feedback.choices import DIMENSIONS, Dimension, Rating
from feedback.models import Survey
from tickets.forms import StyledForm
from tickets.limits import max_length


def _rating_field(label: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )


def _text_field(label: StrOrPromise, name: str, hint: StrOrPromise) -> forms.CharField:
    limit = max_length(Survey, name)
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": limit}),
        help_text=format_lazy(
            "{} {}", hint, format_lazy(_("At most {limit} characters."), limit=f"{limit:,}")
        ),
    )


class SurveyForm(StyledForm):
    """1–5 on each dimension (radio buttons: arrow keys move within a row), a comment and
    suggestions, both optional."""

    id_prefix = "survey"

    speed = _rating_field(Dimension.SPEED.label)
    quality = _rating_field(Dimension.QUALITY.label)
    attitude = _rating_field(Dimension.ATTITUDE.label)
    comment = _text_field(_("Comment"), "comment", _("What went well, what did not (optional)."))
    suggestions = _text_field(
        _("Suggestions"),
        "suggestions",
        _("What should we do better, e.g. “a short video on changing the toner” (optional)."),
    )

    def ratings(self) -> list[forms.BoundField]:
        """The three rating fields, in the form's order (the template draws them as stars)."""
        return [self[name] for name in DIMENSIONS]

    def texts(self) -> list[forms.BoundField]:
        return [self["comment"], self["suggestions"]]


def initial_of(survey: Survey) -> dict[str, object]:
    """The form filled with the requester's current answer (to change it)."""
    return {
        name: getattr(survey, name)
        for name in ("speed", "quality", "attitude", "comment", "suggestions")
    }
