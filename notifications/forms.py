"""The person's quiet hours, on the notification settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import QuietHours


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")


class QuietHoursForm(forms.Form):
    """From–to in the person's zone; both empty: no quiet hours."""

    quiet_starts = forms.TimeField(label=_("Quiet from"), required=False, widget=_time())
    quiet_ends = forms.TimeField(label=_("Quiet until"), required=False, widget=_time())

    @classmethod
    def for_hours(cls, hours: QuietHours | None) -> QuietHoursForm:
        if hours is None:
            return cls()
        return cls(initial={"quiet_starts": hours.starts, "quiet_ends": hours.ends})

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:  # Tabler's red border on the fields to fix
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-control is-invalid"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("quiet_starts"), data.get("quiet_ends")
        if self.errors:
            return data
        if starts is None and ends is not None:
            self.add_error("quiet_starts", _("Give the time your quiet hours start."))
        elif ends is None and starts is not None:
            self.add_error("quiet_ends", _("Give the time your quiet hours end."))
        elif starts is not None and starts == ends:
            self.add_error("quiet_ends", _("Quiet hours must end at another time than they start."))
        return data
