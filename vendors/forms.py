"""HTML forms of the vendor pages and the ticket page's vendor-case panel.

They validate and shape input; ``vendors.services`` writes (and checks everything again).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import selectors as ticket_selectors
from tickets.forms import StyledForm, length_hint
from tickets.limits import max_length
from tickets.models import Attachment, Ticket
from vendors.models import Vendor, VendorCase, VendorCaseUpdate
from vendors.selectors import active_vendors


class VendorForm(StyledForm):
    id_prefix = "vendor"
    name = forms.CharField(label=_("Name"), max_length=max_length(Vendor, "name"))
    contacts = forms.CharField(
        label=_("Contacts"),
        max_length=max_length(Vendor, "contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who to call or write to: hotline, account manager, e-mail, hours."),
    )
    contract_reference = forms.CharField(
        label=_("Contract reference"),
        max_length=max_length(Vendor, "contract_reference"),
        required=False,
    )
    warranty_reference = forms.CharField(
        label=_("Warranty reference"),
        max_length=max_length(Vendor, "warranty_reference"),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Offered for new cases"), required=False, initial=True)


class VendorChoiceField(forms.ModelChoiceField[Vendor]):
    def label_from_instance(self, obj: Vendor) -> str:
        return obj.name


class EvidenceField(forms.ModelMultipleChoiceField[Attachment]):
    def label_from_instance(self, obj: Attachment) -> str:
        return obj.original_name


class CaseOpenForm(StyledForm):
    """Open a vendor case: the vendor, their reference number, what was reported to them,
    and which of the ticket's files went with it."""

    id_prefix = "vcase"
    vendor = VendorChoiceField(
        label=_("Vendor"), queryset=Vendor.objects.none(), empty_label=_("Choose a vendor")
    )
    vendor_reference = forms.CharField(
        label=_("Vendor's reference number"),
        max_length=max_length(VendorCase, "vendor_reference"),
        required=False,
        help_text=_("Their case or RMA number, once they give one."),
    )
    summary = forms.CharField(
        label=_("What was reported to the vendor"),
        max_length=max_length(VendorCase, "summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=length_hint(max_length(VendorCase, "summary")),
    )
    evidence = EvidenceField(
        label=_("Evidence sent"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = active_vendors()  # type: ignore[attr-defined]
        self.fields["evidence"].queryset = ticket_selectors.attachments_for(  # type: ignore[attr-defined]
            user, ticket
        ).order_by("created_at", "pk")


class CaseUpdateForm(StyledForm):
    """What the vendor said; optionally passed on to the requester as a public reply."""

    id_prefix = "vupdate"
    body = forms.CharField(
        label=_("What the vendor said"),
        max_length=max_length(VendorCaseUpdate, "body"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=length_hint(max_length(VendorCaseUpdate, "body")),
    )
    share = forms.BooleanField(
        label=_("Also send it to the requester (this is their 2-hourly update)"), required=False
    )


class CaseCloseForm(StyledForm):
    id_prefix = "vclose"
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=max_length(VendorCase, "close_note"),
        required=False,
        help_text=_("e.g. “Replacement part installed by the vendor”."),
    )
