"""HTML forms of the weekly review and the monthly audit. They shape input; the services
(``reports.review.services``, ``reports.review.audits``) check everything again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reports.models import ActionStatus, ImprovementAction, ProblemReview, ProcessAudit
from reports.review.audits import MAX_SAMPLE, SEED_MAX
from reports.review.periods import current_week, previous_week
from reports.review.services import action_owners
from tickets.forms import StyledForm, length_hint
from tickets.limits import max_length


class GenerateForm(forms.Form):
    """Which week to generate: ``previous``, ``current`` or a Monday (``2026-06-01``)."""

    week = forms.CharField(max_length=10)

    def clean_week(self) -> dt.date:
        value = self.cleaned_data["week"]
        if value == "previous":
            return previous_week()
        if value == "current":
            return current_week()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("Choose this week or last week.")) from None


class ReviewForm(StyledForm):
    id_prefix = "review"
    root_causes = forms.CharField(
        label=_("Root causes"),
        required=False,
        max_length=max_length(ProblemReview, "root_causes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What lies behind the recurring faults, breaches and low ratings above."),
    )
    kb_updates = forms.CharField(
        label=_("Knowledge-base updates made"),
        required=False,
        max_length=max_length(ProblemReview, "kb_updates"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Articles written or changed because of this week, one per line."),
    )


class OwnerField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class ActionForm(StyledForm):
    """An improvement action: adding one, or changing one (with its status)."""

    id_prefix = "action"
    description = forms.CharField(
        label=_("Improvement action"),
        max_length=max_length(ImprovementAction, "description"),
        help_text=length_hint(max_length(ImprovementAction, "description")),
    )
    owner = OwnerField(
        label=_("Responsible"),
        queryset=User.objects.none(),
        empty_label=_("Choose who is responsible"),
    )
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, required=False)

    def __init__(self, *args: Any, prefix_id: str = "action", **kwargs: Any) -> None:
        self.id_prefix = prefix_id
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        if isinstance(owner, OwnerField):  # declared above
            owner.queryset = action_owners()


class ActionsTextForm(StyledForm):
    id_prefix = "audit"
    improvement_actions = forms.CharField(
        label=_("Improvement actions"),
        required=False,
        max_length=max_length(ProcessAudit, "improvement_actions"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What the desk changes because of what this audit found, with who and by when."
        ),
    )


class DrawForm(StyledForm):
    id_prefix = "draw"
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("A month that has ended, as YYYY-MM."),
    )
    size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        max_value=MAX_SAMPLE,
        help_text=format_lazy(_("Tickets to check, 1 to {max}."), max=MAX_SAMPLE),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=SEED_MAX,
        help_text=_("Leave empty for a new random seed; the same seed draws the same sample."),
    )

    def clean_month(self) -> dt.date:
        value = self.cleaned_data["month"].strip()
        try:
            return dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            raise ValidationError(_("Give a month as YYYY-MM.")) from None
