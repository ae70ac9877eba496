"""The work log from the pages: log work on a ticket, the requester's live progress (a small
partial the page polls), and the time per engineer over a period.

Logging goes through ``services.worklogs.log_work``: refusals come back on the ticket page
with the error beside the field (a remote entry without a valid consent names ``mode``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fieldwork import selectors_worklog as selectors
from fieldwork.choices import WorkMode
from fieldwork.models import WorkLog
from fieldwork.services import worklogs as service
from fieldwork.views.common import at_top, submit
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.models import Ticket
from tickets.views.common import signed_in_user, ticket_or_404

WORK_PANEL = "worklog"
# At most a year per query of the time page.
MAX_PERIOD_DAYS = 366


class WorkLogForm(StyledForm):
    id_prefix = "worklog"
    body = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=max_length(WorkLog, "body"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. “Resetting the network adapter, about 30 s”."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How"),
        choices=WorkMode.choices,
        initial=WorkMode.REMOTE,
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes spent"),
        min_value=service.MINUTES_MIN,
        max_value=service.MINUTES_MAX,
    )
    performed_at = forms.DateTimeField(
        label=gettext_lazy("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty for now."),
    )
    parts_used = forms.CharField(
        label=gettext_lazy("Parts replaced"),
        required=False,
        max_length=max_length(WorkLog, "parts_used"),
        help_text=gettext_lazy("e.g. “1 × 8 GB DDR4 memory module”; empty if none."),
    )
    is_public = forms.BooleanField(
        label=gettext_lazy("Show to the requester as progress"), required=False
    )


class PeriodForm(StyledForm):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD``, both days included, in the reader's zone."""

    id_prefix = "period"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end:
            if end < start:
                self.add_error("to", _("The end is before the start."))
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("to", _("Choose at most a year."))
        return data


PeriodForm.base_fields["from"] = forms.DateField(
    label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
)
PeriodForm.base_fields["to"] = forms.DateField(
    label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
)


@login_required
@require_POST
def worklog_add(request: HttpRequest, number: str) -> HttpResponse:
    """Log one piece of work on the ticket (engineers and tech leads)."""
    form = WorkLogForm(request.POST)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.log_work(ticket.pk, actor=signed_in_user(request), **data)

    public = request.POST.get("is_public") in ("on", "true", "1")
    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=at_top("form", form),
        run=run,
        success=_("Work logged; the requester sees it as progress.")
        if public
        else _("Work logged."),
        anchor="#work-log",
    )


def progress_context(ticket: Ticket) -> dict[str, Any]:
    """The requester's live progress: the newest public entries and their total (two
    queries), polled while the ticket is being worked on."""
    entries = list(selectors.public_worklogs(ticket).reverse()[: selectors.PROGRESS_ROWS])
    return {
        "entries": entries,
        "totals": selectors.public_totals(ticket),
        "live": ticket.state in service.LOGGING_STATES,
        "poll_seconds": settings.FIELDWORK_PROGRESS_POLL_SECONDS,
    }


@login_required
@require_GET
def worklog_progress(request: HttpRequest, number: str) -> HttpResponse:
    """The live-progress partial (the ticket page polls it every
    ``FIELDWORK_PROGRESS_POLL_SECONDS`` while visible)."""
    ticket = ticket_or_404(request, number)
    context = {"ticket": ticket, "panel": progress_context(ticket)}
    response = render(request, "fieldwork/partials/worklog_progress_body.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def worklog_engineers(request: HttpRequest) -> HttpResponse:
    """Minutes logged per engineer in a period: everyone's for tech leads and managers,
    one's own for an engineer; requesters are refused."""
    user = signed_in_user(request)
    if not selectors.may_see_own_time(user):
        raise PermissionDenied(_("Only the service desk sees logged time."))
    today = timezone.localdate()
    data = {
        "from": request.GET.get("from") or today.replace(day=1).isoformat(),
        "to": request.GET.get("to") or today.isoformat(),
    }
    form = PeriodForm(data)
    rows: list[selectors.EngineerTime] = []
    status = 200
    if form.is_valid():
        start = _day_start(form.cleaned_data["from"])
        end = _day_start(form.cleaned_data["to"] + dt.timedelta(days=1))
        rows = selectors.time_per_engineer(user, start, end)
    else:
        status = 400
    context = {
        "form": form,
        "rows": rows,
        "total_minutes": sum(r.minutes for r in rows),
        "everyone": selectors.may_see_everyones_time(user),
        "nav": "worklog",
    }
    return render(request, "fieldwork/worklog_engineers.html", context, status=status)


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the reader's zone (the active one)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
