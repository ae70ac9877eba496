"""The forms of the ticket page's related-tickets card and of reopening a finished ticket."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.forms import StyledForm
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Ticket

_NUMBER = max_length(Ticket, "number")
_NUMBER_HINT = _("e.g. IT-20261124-0042")


class LinkForm(StyledForm):
    """Link (or unlink) another ticket by its number."""

    id_prefix = "link"
    ticket = forms.CharField(
        label=_("Ticket number"),
        max_length=_NUMBER,
        widget=forms.TextInput(attrs={"placeholder": _NUMBER_HINT, "autocomplete": "off"}),
    )


class MergeForm(StyledForm):
    """Mark this ticket as a duplicate of the one that stays; ``confirm`` after the check."""

    id_prefix = "merge"
    into = forms.CharField(
        label=_("Duplicate of (the ticket that stays)"),
        max_length=_NUMBER,
        widget=forms.TextInput(attrs={"placeholder": _NUMBER_HINT, "autocomplete": "off"}),
        help_text=_(
            "Its messages and files move to that ticket and this one is closed as a duplicate. "
            "You confirm on the next page."
        ),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReopenForm(StyledForm):
    id_prefix = "reopen"
    reason = forms.CharField(
        label=_("What is wrong again?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. “The printer prints blank pages again since this morning”."),
    )
