"""HTML forms of the post-incident review page and of the "link to the ongoing incident"
buttons. They validate and shape input; ``incidents.review`` and ``incidents.services``
write (and check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from incidents.models import MajorIncident, PostIncidentReview, ReviewAction
from incidents.review import action_owners
from tickets.forms import StyledForm, length_hint
from tickets.forms_bulk import NumbersField
from tickets.limits import max_length


class ReviewForm(StyledForm):
    id_prefix = "review"
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=max_length(PostIncidentReview, "root_cause"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=length_hint(max_length(PostIncidentReview, "root_cause")),
    )
    summary = forms.CharField(
        label=_("Summary and lessons learned"),
        max_length=max_length(PostIncidentReview, "summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well, what did not, what we change."),
    )


class OwnerField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.name


class ActionForm(StyledForm):
    """An action with its owner and due date (adding one, or changing one)."""

    id_prefix = "action"
    description = forms.CharField(
        label=_("Action to take"),
        max_length=max_length(ReviewAction, "description"),
        help_text=length_hint(max_length(ReviewAction, "description")),
    )
    owner = OwnerField(
        label=_("Responsible"),
        queryset=User.objects.none(),
        empty_label=_("Choose who is responsible"),
    )
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, prefix_id: str = "action", **kwargs: Any) -> None:
        self.id_prefix = prefix_id
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        if isinstance(owner, OwnerField):  # declared above
            owner.queryset = action_owners()


class DoneForm(forms.Form):
    done = forms.TypedChoiceField(
        label=_("Done"),
        choices=[("1", _("Done")), ("0", _("Not done"))],
        coerce=lambda value: value == "1",
    )


class LinkForm(forms.Form):
    """Link tickets to an ongoing incident: the queue's ticked tickets (``tickets``), or the
    ticket whose page the button is on (its number is in the address, not the form)."""

    incident = forms.CharField(
        label=_("Major incident"), max_length=max_length(MajorIncident, "number")
    )
    tickets = NumbersField(label=_("Tickets"))


class LinkOneForm(forms.Form):
    incident = forms.CharField(
        label=_("Major incident"), max_length=max_length(MajorIncident, "number")
    )
