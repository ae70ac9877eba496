"""The forms of the training pages. They parse what people type; the services check it
again (limits, who may take part) and their refusals come back beside these fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from people.choices import SkillLevel
from tickets.forms import MultipleFileField, StyledForm, length_hint
from tickets.limits import max_length
from tickets.selectors import categories_in_tree_order
from training import selectors
from training.choices import RECORDED, AssessmentKind, AttendanceStatus, TrainingKind
from training.models import Assessment, Drill, TrainingSession
from training.services.drills import TIME_LIMIT
from training.services.sessions import DURATION

SKILL_ROWS = 5
_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_IDS = re.compile(r"[\s,，、;；]+")


def _text(model: type[Any], name: str, label: Any, *, required: bool = True) -> forms.CharField:
    """A long text, its limit read from the model (said beside the field, as elsewhere)."""
    limit = max_length(model, name)
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=length_hint(limit),
    )


class SessionForm(StyledForm):
    """Plan or change a session. Skills are up to ``SKILL_ROWS`` (category, level) rows."""

    id_prefix = "session"

    title = forms.CharField(label=_("Title"), max_length=max_length(TrainingSession, "title"))
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=_WHEN,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("In your time zone."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=DURATION[0], max_value=DURATION[1], initial=60
    )
    location = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=max_length(TrainingSession, "location"),
        help_text=_("A room, or how to join online."),
    )
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=selectors.trainer_choices())
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=selectors.attendee_choices(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark"),
        min_value=0,
        max_value=100,
        initial=60,
        help_text=_("An assessment at or above this score passes and adds the skills below."),
    )
    articles = forms.CharField(
        label=_("Knowledge articles"),
        required=False,
        max_length=200,
        help_text=_("Article numbers (as in the article's address), separated by commas."),
    )
    description = _text(TrainingSession, "description", _("Agenda"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One query for the five rows' choices (a ModelChoiceField would ask once per row).
        categories = [
            ("", "—"),
            *(
                (c.slug, f"{c.parent.label} / {c.label}" if c.parent is not None else c.label)
                for c in categories_in_tree_order().select_related("parent")
            ),
        ]
        for n in range(1, SKILL_ROWS + 1):
            self.fields[f"skill_{n}_category"] = forms.ChoiceField(
                label=_("Category"),
                choices=categories,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"skill_{n}_level"] = forms.TypedChoiceField(
                label=_("Level"),
                choices=[("", "—"), *SkillLevel.choices],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def skill_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"skill_{n}_category"], self[f"skill_{n}_level"])
            for n in range(1, SKILL_ROWS + 1)
        ]

    def clean_articles(self) -> list[str]:
        return [part for part in _IDS.split(self.cleaned_data.get("articles") or "") if part]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        skills = []
        for n in range(1, SKILL_ROWS + 1):
            category = data.pop(f"skill_{n}_category", "") or None
            level = data.pop(f"skill_{n}_level", None)
            if category is None and level is None:
                continue
            if category is None or level is None:
                self.add_error(f"skill_{n}_category", _("Choose both a category and a level."))
                continue
            skills.append({"category": category, "level": level})
        data["skills"] = skills
        return data


class AttendanceForm(forms.Form):
    """One radio group per attendee (``status-<username>``): attended or absent."""

    def __init__(self, *args: Any, attendees: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in attendees:
            name = f"status-{row.engineer.username}"
            self.fields[name] = forms.ChoiceField(
                label=row.engineer.name,
                choices=[(s.value, s.label) for s in AttendanceStatus if s in RECORDED],
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=row.status if row.status in RECORDED else None,
            )
            self.rows.append((row, self[name]))

    def marks(self) -> dict[str, str]:
        return {
            name.removeprefix("status-"): value
            for name, value in self.cleaned_data.items()
            if value
        }


class AssessmentForm(StyledForm):
    """A tech lead's score of one engineer (on a session's page: one of its attendees)."""

    id_prefix = "assessment"

    engineer = forms.ModelChoiceField(
        label=_("Engineer"), queryset=selectors.attendee_choices(), to_field_name="username"
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in AssessmentKind if k != AssessmentKind.DRILL],
    )
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    notes = _text(Assessment, "notes", _("Notes"), required=False)

    def __init__(self, *args: Any, session: TrainingSession | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if session is not None:
            field = self.fields["engineer"]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (declared above)
            field.queryset = selectors.attendee_choices().filter(
                training_attendance__session=session
            )
            self.fields["kind"].initial = session.kind


class MaterialsForm(forms.Form):
    attachments = MultipleFileField(label=_("Files"))


class DrillTicketForm(StyledForm):
    """The first step of a drill: which ticket (by number)."""

    id_prefix = "drill"

    ticket = forms.CharField(
        label=_("Ticket number"),
        max_length=32,
        help_text=_("A resolved, verified or closed ticket, e.g. IT-20261126-0042."),
    )


class DrillForm(DrillTicketForm):
    """The drill itself: for whom, how long, and what the engineer is shown."""

    engineer = forms.ModelChoiceField(
        label=_("Engineer"), queryset=selectors.attendee_choices(), to_field_name="username"
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        min_value=TIME_LIMIT[0],
        max_value=TIME_LIMIT[1],
        initial=30,
    )
    title = forms.CharField(
        label=_("Symptom in a line"),
        max_length=max_length(Drill, "title"),
        help_text=_("Reword it if the ticket could be found by its title."),
    )
    symptom = _text(Drill, "symptom", _("Symptom"))
    scenario = _text(Drill, "scenario", _("Scenario"), required=False)
    attachments = forms.TypedMultipleChoiceField(
        label=_("Files shown to the engineer"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, files: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attachments"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 (declared above)
        field.choices = [(f.pk, f.original_name) for f in files or []]
        self.fields["ticket"].widget.attrs["readonly"] = "readonly"


class AnswerForm(StyledForm):
    id_prefix = "answer"

    diagnosis = _text(Drill, "diagnosis", _("Diagnosis"))
    plan = _text(Drill, "plan", _("Plan"))


class ScoreForm(StyledForm):
    id_prefix = "score"

    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    notes = _text(Assessment, "notes", _("Notes"), required=False)


class CancelSessionForm(StyledForm):
    """Cancel a session: why, optionally (shown on its page)."""

    id_prefix = "cancel"

    reason = _text(TrainingSession, "cancel_reason", _("Why (optional)"), required=False)
