"""On-site visits and the ticket's device, from the ticket page.

The engineer schedules a visit, accepts the requester's proposed time or sets another,
cancels it, and records it afterwards; the requester confirms the time or proposes
another. An engineer also sets or changes the ticket's device there. Each view parses
its form and calls one service; on success back to the ticket with a message, on
failure the ticket page again with the error in the panel (the form keeps what was
typed): 404 not visible, 403 not allowed, 409 not in this state, 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fieldwork.models import SiteVisit
from fieldwork.services import devices
from fieldwork.services import visits as service
from fieldwork.views.common import Patch, at_top, submit
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.models import Ticket
from tickets.views.common import signed_in_user

# Names of the panels the forms live in (fieldwork/registrations/visits.py).
WORK_PANEL = "visits"
REQUESTER_PANEL = "visits_requester"

_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _PerVisit(StyledForm):
    """A form shown once per visit: its element ids carry the visit's id."""

    def __init__(self, *args: Any, visit_id: int | None = None, **kwargs: Any) -> None:
        if visit_id is not None:
            self.id_prefix = f"{self.id_prefix}{visit_id}"
        super().__init__(*args, **kwargs)


class ScheduleForm(StyledForm):
    id_prefix = "visit"
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Visit time"),
        widget=_WHEN,
        help_text=gettext_lazy("The time agreed with the requester; they are asked to confirm."),
    )
    bring = forms.CharField(
        label=gettext_lazy("Parts and tools to bring"),
        required=False,
        max_length=max_length(SiteVisit, "bring"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. a fuser unit, a spare network cable, the label printer."),
    )


class RescheduleForm(_PerVisit):
    id_prefix = "move"
    scheduled_at = forms.DateTimeField(label=gettext_lazy("New time"), widget=_WHEN)


class ProposeForm(_PerVisit):
    id_prefix = "propose"
    proposed_at = forms.DateTimeField(label=gettext_lazy("A time that suits you"), widget=_WHEN)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=max_length(SiteVisit, "proposal_note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. “I'm in meetings all morning; any time after 14:00.”"),
    )


class CancelVisitForm(_PerVisit):
    id_prefix = "cancelvisit"
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=max_length(SiteVisit, "proposal_note"),
    )


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class CompleteForm(_PerVisit):
    id_prefix = "done"
    indicator_lights = forms.CharField(
        label=gettext_lazy("Indicator lights"),
        required=False,
        max_length=max_length(SiteVisit, "indicator_lights"),
        help_text=gettext_lazy("e.g. power green, status amber blinking, LAN off."),
    )
    physical_damage = forms.CharField(
        label=gettext_lazy("Physical damage"),
        required=False,
        max_length=max_length(SiteVisit, "physical_damage"),
        help_text=gettext_lazy("Leave empty if none."),
    )
    work_done = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=max_length(SiteVisit, "work_done"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parts_used = forms.CharField(
        label=gettext_lazy("Parts used"),
        required=False,
        max_length=max_length(SiteVisit, "parts_used"),
        help_text=gettext_lazy("Separate parts with “;”. They go into the device's history."),
    )
    site_cleaned = forms.ChoiceField(
        label=gettext_lazy("Site cleaned up"), choices=YES_NO, widget=forms.RadioSelect
    )


class DeviceForm(StyledForm):
    id_prefix = "device"
    asset = forms.CharField(
        label=gettext_lazy("Asset tag"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Leave empty if the ticket is about no registered device."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].widget.attrs.update({"list": "device-tags", "autocomplete": "off"})


# --- shared --------------------------------------------------------------------------------


def _in_row(key: str, visit_id: int, form: forms.Form) -> Patch:
    """Patch for a per-visit form: that visit's row gets ``form`` under ``key``, opened."""

    def patch(context: dict[str, Any]) -> None:
        for row in context.get("rows", []):
            if row["visit"].pk == visit_id:
                row[key] = form
                row["open"] = key
        context["open"] = f"{key}-{visit_id}"

    return patch


# --- the engineer --------------------------------------------------------------------------


@login_required
@require_POST
def visit_schedule(request: HttpRequest, number: str) -> HttpResponse:
    """The engineer handling the ticket schedules a visit."""
    form = ScheduleForm(request.POST)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.schedule_visit(ticket.pk, actor=signed_in_user(request), **data)

    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=at_top("schedule_form", form),
        run=run,
        success=_("Visit scheduled. The requester is asked to confirm the time."),
        anchor="#visits",
    )


@login_required
@require_POST
def visit_reschedule(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    """A new time: the requester's proposal accepted (no time given), or the engineer's."""
    accept = not request.POST.get("scheduled_at")
    form = None if accept else RescheduleForm(request.POST, visit_id=visit_id)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.reschedule_visit(
            ticket.pk,
            visit_id,
            actor=signed_in_user(request),
            scheduled_at=data.get("scheduled_at"),
        )

    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=_in_row("reschedule_form", visit_id, form or RescheduleForm(visit_id=visit_id)),
        run=run,
        success=_("The visit has its new time; the requester has been told."),
        anchor="#visits",
    )


@login_required
@require_POST
def visit_cancel(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    form = CancelVisitForm(request.POST, visit_id=visit_id)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.cancel_visit(ticket.pk, visit_id, actor=signed_in_user(request), **data)

    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=_in_row("cancel_form", visit_id, form),
        run=run,
        success=_("Visit cancelled; the requester has been told."),
        anchor="#visits",
    )


@login_required
@require_POST
def visit_complete(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    """After the visit: lights, damage, what was done, parts used, site cleaned."""
    form = CompleteForm(request.POST, visit_id=visit_id)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.complete_visit(ticket.pk, visit_id, actor=signed_in_user(request), **data)

    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=_in_row("complete_form", visit_id, form),
        run=run,
        success=_("Visit recorded."),
        anchor="#visits",
    )


@login_required
@require_POST
def ticket_device(request: HttpRequest, number: str) -> HttpResponse:
    """An engineer sets or changes the device the ticket is about (by its tag)."""
    form = DeviceForm(request.POST)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return devices.set_ticket_asset(
            ticket.pk, actor=signed_in_user(request), asset=data.get("asset")
        )

    return submit(
        request,
        number,
        form=form,
        panel=WORK_PANEL,
        patch=at_top("device_form", form),
        run=run,
        success=_("Device saved."),
        anchor="#visits",
    )


# --- the requester -------------------------------------------------------------------------


@login_required
@require_POST
def visit_confirm(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.confirm_visit(ticket.pk, visit_id, actor=signed_in_user(request))

    return submit(
        request,
        number,
        form=None,
        panel=REQUESTER_PANEL,
        patch=lambda context: None,
        run=run,
        success=_("Thank you: the visit time is confirmed."),
        anchor="#visit-requester",
    )


@login_required
@require_POST
def visit_propose(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    form = ProposeForm(request.POST, visit_id=visit_id)

    def run(ticket: Ticket, data: dict[str, Any]) -> object:
        return service.propose_visit_time(
            ticket.pk, visit_id, actor=signed_in_user(request), **data
        )

    return submit(
        request,
        number,
        form=form,
        panel=REQUESTER_PANEL,
        patch=_in_row("propose_form", visit_id, form),
        run=run,
        success=_("Your proposal was sent; the engineer will confirm the new time."),
        anchor="#visit-requester",
    )
