"""Forms of the queue's bulk actions and saved views. They validate and shape input; the
services in ``tickets.services.bulk`` and ``tickets.services.saved_views`` write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.choices import Priority
from tickets.limits import max_length
from tickets.models import SavedView, Ticket
from tickets.selectors import engineers
from tickets.services.bulk import MAX_BULK_TICKETS

# What a ticket number may look like here: anything else cannot name a ticket.
NUMBER = re.compile(r"[A-Za-z0-9-]{1,32}")


class NumbersField(forms.Field):
    """The ticket numbers ticked in the queue (``tickets=IT-…&tickets=IT-…``), in order,
    each once."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))

    def validate(self, value: list[str]) -> None:
        if not value:
            raise forms.ValidationError(_("Select at least one ticket in the list."))
        if len(value) > MAX_BULK_TICKETS:
            raise forms.ValidationError(
                _("Select at most %(max)d tickets at a time."), params={"max": MAX_BULK_TICKETS}
            )
        if any(not NUMBER.fullmatch(v) for v in value):
            raise forms.ValidationError(_("That is not a ticket number."))


class BulkForm(forms.Form):
    """Assign the selected tickets to an engineer, or change their priority, with one
    reason kept on each ticket's timeline."""

    ASSIGN = "assign"
    PRIORITY = "priority"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(ASSIGN, _("Assign")), (PRIORITY, _("Change priority"))],
    )
    tickets = NumbersField(label=_("Tickets"))
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", ""), *Priority.choices], required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=max_length(Ticket, "priority_reason"))
    # The queue's filters and page to come back to (``canonical_query`` of the page).
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        if isinstance(field, forms.ModelChoiceField):  # it is: typed for mypy
            field.queryset = engineers()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == self.ASSIGN and not data.get("assignee") and "assignee" not in self.errors:
            self.add_error("assignee", _("Choose the engineer to assign the tickets to."))
        if action == self.PRIORITY and not data.get("priority") and "priority" not in self.errors:
            self.add_error("priority", _("Choose the new priority."))
        return data


class SavedViewForm(forms.Form):
    """A name for the queue's current filters (``query``), or a new name for a tab."""

    name = forms.CharField(label=_("Tab name"), max_length=max_length(SavedView, "name"))
    query = forms.CharField(required=False, max_length=2000)
