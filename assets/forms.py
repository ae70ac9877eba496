"""Forms of the device pages. They parse what people typed; ``assets.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Site
from assets.models import Asset, AssetKind
from assets.validation import max_length


class StyledForm(forms.Form):
    """Tabler classes and accessibility attributes on every widget (as the ticket forms)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else ("form-control")
            )
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def _site_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((s.code, f"{s.name} ({s.code})") for s in Site.objects.order_by("name"))]


class AssetSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *AssetKind.choices]
    )


class AssetForm(StyledForm):
    """One device. The site is chosen by code, the owner typed as a username."""

    tag = forms.CharField(label=_("Asset tag"), max_length=max_length("tag"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *AssetKind.choices])
    vendor = forms.CharField(
        label=_("Manufacturer"), required=False, max_length=max_length("vendor")
    )
    model = forms.CharField(label=_("Model"), required=False, max_length=max_length("model"))
    os_version = forms.CharField(
        label=_("OS / firmware version"), required=False, max_length=max_length("os_version")
    )
    site = forms.ChoiceField(label=_("Site"), required=False, choices=_site_choices)
    owner = forms.CharField(
        label=_("Owner (username)"),
        required=False,
        max_length=150,
        help_text=_("Leave empty for a shared device (a printer, a switch)."),
    )
    warranty_end = forms.DateField(
        label=_("Warranty ends"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @classmethod
    def for_asset(cls, asset: Asset) -> AssetForm:
        return cls(
            initial={
                "tag": asset.tag,
                "kind": asset.kind,
                "vendor": asset.vendor,
                "model": asset.model,
                "os_version": asset.os_version,
                "site": asset.site.code if asset.site else "",
                "owner": asset.owner.username if asset.owner else "",
                "warranty_end": asset.warranty_end,
            }
        )


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: tag, kind, vendor, model, os_version, site (code), owner (username), "
            "warranty_end (YYYY-MM-DD). A device whose tag exists is updated."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
