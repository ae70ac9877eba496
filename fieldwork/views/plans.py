"""The plan on the ticket page: the engineer's card in the work column (record or change the
plan), the requester's card at the top of their page (the plan in plain words, the window to
confirm), the rows of the service report; and the two forms they post.

A refused post re-renders the ticket page with the error beside its field, like every
action on the page (``tickets.views.actions``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import capabilities
from fieldwork.choices import PlanApproach
from fieldwork.models import WorkPlan
from fieldwork.services import plans as service
from tickets import permissions, selectors
from tickets.choices import WORK_STATES
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.models import Attachment, Ticket
from tickets.selectors_prepared import Prepared, Read
from tickets.views.common import signed_in_user, ticket_or_404
from tickets.views.ticket import detail_context


def _moment(label: Any) -> forms.DateTimeField:
    """An optional date and time, typed in the reader's zone (``datetime-local``)."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


# What each approach means, least invasive first: the engineer's hint and the requester's words.
APPROACH_HINTS = {
    PlanApproach.RESTART: gettext_lazy("Restart the service or device: no change made."),
    PlanApproach.ROLLBACK: gettext_lazy("Undo a recent configuration change."),
    PlanApproach.REPLACEMENT: gettext_lazy("Replace a part or the device."),
    PlanApproach.OTHER: gettext_lazy("Anything else: say what in the diagnosis' plan."),
}
APPROACH_PLAIN = {
    PlanApproach.RESTART: gettext_lazy(
        "We start with the least invasive step: restarting the service or device concerned."
    ),
    PlanApproach.ROLLBACK: gettext_lazy(
        "We will undo a recent configuration change that caused the fault."
    ),
    PlanApproach.REPLACEMENT: gettext_lazy("We will replace the faulty part or device."),
    PlanApproach.OTHER: gettext_lazy("We will fix it as described in the diagnosis."),
}


class _ListedChoices(ModelChoiceIterator[Attachment]):
    """The choices from one ordinary query: Django's ``iterator()`` opens a server-side
    cursor (declare, fetch, close: three round trips for a handful of files). On the ticket
    page the files are the ones the page already read (``LogChoiceField.listed``)."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        listed = getattr(self.field, "listed", None)
        for obj in self.queryset if listed is None else listed:
            yield self.choice(obj)


class LogChoiceField(forms.ModelMultipleChoiceField[Attachment]):
    iterator = _ListedChoices
    # The files to offer when already read (the ticket page); posts check the queryset.
    listed: list[Attachment] | None = None

    def label_from_instance(self, obj: Attachment) -> str:
        return obj.original_name


class PlanForm(StyledForm):
    id_prefix = "plan"

    approach = forms.ChoiceField(
        label=gettext_lazy("Approach (least invasive first)"),
        choices=[(a.value, a.label) for a in service.APPROACH_ORDER],
        widget=forms.RadioSelect,
    )
    risk = forms.CharField(
        label=gettext_lazy("Risk"),
        max_length=max_length(WorkPlan, "risk"),
        required=False,
        help_text=gettext_lazy("e.g. “the upgrade may break the finance plug-in”."),
    )
    window_start = _moment(gettext_lazy("Operation window from"))
    window_end = _moment(gettext_lazy("until"))
    fault_triggered_at = _moment(gettext_lazy("Fault triggered at"))
    related_operation = forms.CharField(
        label=gettext_lazy("Related operation"),
        max_length=max_length(WorkPlan, "related_operation"),
        required=False,
        help_text=gettext_lazy("What was done when it failed, e.g. “plug-in update 3.2”."),
    )
    log_attachments = LogChoiceField(
        label=gettext_lazy("Attached logs"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    log_references = forms.CharField(
        label=gettext_lazy("Log references"),
        max_length=max_length(WorkPlan, "log_references"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{} {}",
            gettext_lazy("Log files, IDs or lines that show the fault (server, path, time)."),
            format_lazy(
                gettext_lazy("At most {limit} characters."),
                limit=f"{max_length(WorkPlan, 'log_references'):,}",
            ),
        ),
    )

    def __init__(
        self,
        *args: Any,
        ticket: Ticket,
        viewer: User,
        files: list[Attachment] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["log_attachments"]
        if not isinstance(field, LogChoiceField):
            raise TypeError("log_attachments is a choice of attachments")
        # Each file shows by its name: no uploader, no ticket joined to every row.
        field.queryset = (
            selectors.attachments_for(viewer, ticket)
            .select_related(None)
            .order_by("created_at", "pk")
        )
        # ``files``: the same rows, already read (``selectors.files_shown``), to show.
        field.listed = files


def plan_initial(plan: WorkPlan | None, log_ids: list[int] | None = None) -> dict[str, Any]:
    """The form's values: the plan's (its picked logs: ``log_ids`` when already read)."""
    if plan is None:
        return {"approach": PlanApproach.RESTART}
    return {
        "approach": plan.approach,
        "risk": plan.risk,
        "window_start": plan.window_start,
        "window_end": plan.window_end,
        "fault_triggered_at": plan.fault_triggered_at,
        "related_operation": plan.related_operation,
        "log_references": plan.log_references,
        "log_attachments": (
            log_ids if log_ids is not None else [a.pk for a in plan.log_attachments.all()]
        ),
    }


# --- panels (tickets.hooks) ------------------------------------------------------------------


def _plan_with_log_ids(ticket_id: int) -> QuerySet[WorkPlan]:
    """The ticket's plan, its people, and the ids of its picked logs (one row)."""
    picked = WorkPlan.log_attachments.through.objects.filter(workplan_id=OuterRef("pk"))
    return (
        WorkPlan.objects.filter(ticket_id=ticket_id)
        .select_related("created_by", "confirmed_by")
        .annotate(log_ids=ArraySubquery(picked.order_by("attachment_id").values("attachment_id")))
        .order_by("pk")[:1]
    )


# Compiled once per process (``tickets.selectors_prepared``): every work view asks.
_PLAN = Prepared(_plan_with_log_ids, int)


def page_reads(ticket: Ticket, user: User) -> list[Read]:
    """What ``work_panel`` will read on the ticket page (``selectors_prepared.batched``)."""
    return [(_PLAN, (ticket.pk,))] if capabilities(user).view_all else []


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The engineer's card: the plan, its window's state, and the form for the handler.
    One query: the picked logs are among the ticket's files the page reads for its file
    card (``selectors.files_shown``: the same rows, in the same order)."""
    if not capabilities(user).view_all:
        return None
    plan = _PLAN.first(ticket.pk)
    editable = service.may_record(ticket, user)
    if plan is None and not editable:
        return None
    files = selectors.files_shown(user, ticket)
    log_ids: list[int] = list(plan.log_ids) if plan is not None else []  # type: ignore[attr-defined]
    form = (
        PlanForm(initial=plan_initial(plan, log_ids), ticket=ticket, viewer=user, files=files)
        if editable
        else None
    )
    picked = set(log_ids)
    return {
        "plan": plan,
        "status": service.status_of(plan) if plan is not None else None,
        # As ``service.log_files``: the picked logs this viewer may open, oldest first.
        "logs": [f for f in files if f.pk in picked],
        "form": form,
        "hints": APPROACH_HINTS,
    }


def requester_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The requester's card while the ticket is being worked on: the plan in plain words and
    the window, with the button to confirm it."""
    if not permissions.is_requester_of(ticket, user) or ticket.state not in WORK_STATES:
        return None
    plan = service.plan_of(ticket)
    if plan is None:
        return None
    now = timezone.now()
    return {
        "plan": plan,
        "status": service.status_of(plan),
        "plain": APPROACH_PLAIN.get(PlanApproach(plan.approach), ""),
        "can_confirm": service.may_confirm(ticket, plan, user, now),
        "passed": plan.window_end is not None and plan.window_end <= now,
    }


def report_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    plan = service.plan_of(ticket)
    if plan is None:
        return None
    return {
        "plan": plan,
        "status": service.status_of(plan),
        "logs": service.log_files(plan, user),
        "evidence": service.visible_fields(user),
    }


# --- posts ---------------------------------------------------------------------------------


def _rerender(
    request: HttpRequest, number: str, status: int, error: str, **extra: Any
) -> HttpResponse:
    context = detail_context(request, ticket_or_404(request, number))
    context.update(extra)
    context["action_error"] = error
    return render(request, "tickets/detail.html", context, status=status)


@login_required
@require_POST
def record_plan(request: HttpRequest, number: str) -> HttpResponse:
    """The plan form of the work view (the handler, while the ticket is being worked on)."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    form = PlanForm(request.POST, ticket=ticket, viewer=actor)
    status, error = 400, ""
    if form.is_valid():
        try:
            service.record_plan(ticket.pk, actor=actor, **form.cleaned_data)
        except TicketNotFound:
            raise Http404 from None
        except ActionForbidden as exc:
            raise PermissionDenied(str(exc)) from None
        except InvalidTransition as exc:
            status, error = 409, str(exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(reverse("tickets:detail", kwargs={"number": number}) + "#plan")
    if not error:
        error = " ".join(str(e) for e in form.non_field_errors())
    return _rerender(request, number, status, error, plan_form=form)


@login_required
@require_POST
def confirm_plan(request: HttpRequest, number: str) -> HttpResponse:
    """The requester's "confirm this window" button."""
    ticket = ticket_or_404(request, number)
    try:
        service.confirm_window(ticket.pk, actor=signed_in_user(request))
    except TicketNotFound:
        raise Http404 from None
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _rerender(request, number, 409, str(exc))
    messages.success(request, _("Thank you: the engineer knows the window suits you."))
    return redirect("tickets:detail", number=number)
