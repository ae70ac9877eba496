"""The deflection page (``/knowledge/deflection/``): how often the suggestions on the
new-ticket form solved the problem before a ticket was filed, for a period (the last
``DEFAULT_DAYS`` days unless chosen). For those who read the desk's reports: tech leads,
managers and admins (the ``view_reports`` capability)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.permissions import capabilities
from knowledge.services import suggestions
from tickets.forms import StyledForm
from tickets.views.common import signed_in_user

DEFAULT_DAYS = 30
LONGEST_DAYS = 366


class PeriodForm(StyledForm):
    id_prefix = "period"
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        until = cleaned.get("until") or timezone.localdate()
        since = cleaned.get("since") or until - dt.timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            self.add_error("since", _("The period starts after it ends."))
        elif (until - since).days >= LONGEST_DAYS:
            self.add_error("since", _("Choose a period of a year at most."))
        cleaned["since"], cleaned["until"] = since, until
        if not self.errors:  # the bar shows the period counted, defaults included
            self.data = {
                **dict(self.data.items()),
                "since": since.isoformat(),
                "until": until.isoformat(),
            }
        return cleaned


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the reader's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@require_GET
def deflection_page(request: HttpRequest) -> HttpResponse:
    if not capabilities(signed_in_user(request)).view_reports:
        raise PermissionDenied
    form = PeriodForm(request.GET)
    context: dict[str, Any] = {"form": form, "nav": "reports", "report_nav": "deflection"}
    if not form.is_valid():
        return render(request, "knowledge/deflection.html", context, status=400)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    start, end = _midnight(since), _midnight(until + dt.timedelta(days=1))
    context.update(
        since=since,
        until=until,
        numbers=suggestions.deflection(start, end),
        top=suggestions.top_accepted(start, end),
    )
    return render(request, "knowledge/deflection.html", context)
