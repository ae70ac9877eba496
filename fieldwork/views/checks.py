"""Functional checks on the ticket page: the engineer's checklist in the work column (record
each check, add one), the requester's list while they are asked to verify the fix, the
rows of the service report; and the two forms the checklist posts.

The checklist's context puts the category's missing default checks on the ticket the first
time its handler sees it (``services.checks.ensure_checks``); every later view reads two
rows sets — the checks and the category's defaults — whatever the ticket's history.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import capabilities
from fieldwork.choices import CheckResult
from fieldwork.models import CheckTemplate, FunctionalCheck
from fieldwork.services import checks as service
from tickets import permissions
from tickets.choices import TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.forms import StyledForm
from tickets.limits import max_length
from tickets.models import Ticket
from tickets.selectors_prepared import Prepared, Read
from tickets.views.common import blank_form, run_form, signed_in_user, ticket_or_404
from tickets.views.ticket import detail_context

RESULT_CHOICES = [
    (CheckResult.PASSED.value, CheckResult.PASSED.label),
    (CheckResult.FAILED.value, CheckResult.FAILED.label),
    (CheckResult.NOT_APPLICABLE.value, CheckResult.NOT_APPLICABLE.label),
]

# The engineer's checklist on the ticket page (``fieldwork.registrations.checks``).
WORK_PANEL = "checks_work"

# The result buttons of each check: value, label, Tabler colour.
RESULT_BUTTONS = [
    (CheckResult.PASSED.value, CheckResult.PASSED.label, "btn-outline-success"),
    (CheckResult.FAILED.value, CheckResult.FAILED.label, "btn-outline-danger"),
    (CheckResult.NOT_APPLICABLE.value, CheckResult.NOT_APPLICABLE.label, "btn-outline-secondary"),
]


class CheckRecordForm(StyledForm):
    id_prefix = "check"

    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=RESULT_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=max_length(FunctionalCheck, "note"),
        required=False,
    )


class CheckAddForm(StyledForm):
    id_prefix = "check_add"

    label = forms.CharField(
        label=gettext_lazy("Another check"),
        max_length=max_length(FunctionalCheck, "label"),
        help_text=gettext_lazy("e.g. “print the monthly invoice report”."),
    )


def _rows(checks: list[FunctionalCheck]) -> list[dict[str, Any]]:
    """Each check with its label, and the result and note its form shows (the recorded
    ones; what was posted when a post was refused, see ``_rerender``)."""
    labels = service.shown_labels(checks)
    return [
        {"check": c, "label": labels[c.pk], "result": c.result, "note": c.note, "errors": {}}
        for c in checks
    ]


def _counts(checks: list[FunctionalCheck]) -> dict[str, int]:
    return {
        "total": len(checks),
        "recorded": sum(1 for c in checks if c.result in service.RECORDED),
        "failed": sum(1 for c in checks if c.result == CheckResult.FAILED),
    }


# --- panels (tickets.hooks) ------------------------------------------------------------------


# The checklist's two reads (``service.checks_of``, ``service.templates_for``), compiled once
# per process (``tickets.selectors_prepared``): every work view asks.
_CHECKS = Prepared(
    lambda ticket_id: FunctionalCheck.objects.filter(ticket_id=ticket_id).select_related(
        "checked_by"
    ),
    int,
)
_TEMPLATES = Prepared(
    lambda category_id, parent_id: CheckTemplate.objects.filter(
        category_id__in=[category_id, parent_id], is_active=True
    ).order_by("sort_order", "pk"),
    int,
    int,
)


def page_reads(ticket: Ticket, user: User) -> list[Read]:
    """What ``work_panel`` will read on the ticket page (``selectors_prepared.batched``)."""
    if not capabilities(user).view_all:
        return []
    category = ticket.category
    return [
        (_CHECKS, (ticket.pk,)),
        (_TEMPLATES, (category.pk, category.parent_id or category.pk)),
    ]


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The engineer's checklist: shown on tickets with checks or default checks, and to the
    handler of any ticket being worked on (who may add checks of their own)."""
    if not capabilities(user).view_all:
        return None
    checks = _CHECKS.objects(ticket.pk)
    category = ticket.category  # the category's defaults and its parent's
    templates = _TEMPLATES.objects(category.pk, category.parent_id or category.pk)
    editable = service.may_record(ticket, user)
    missing = service.missing_templates(checks, templates)
    if editable and missing:
        checks = service.ensure_checks(ticket.pk, actor=user)
        missing = []
    if not checks and not templates and not editable:
        return None
    counts = _counts(checks)
    return {
        "rows": _rows(checks),
        "counts": counts,
        "pending": counts["total"] - counts["recorded"] + len(missing),
        "editable": editable,
        "results": RESULT_BUTTONS,
        "note_hint": _("Note (needed unless passed)"),
        "add_form": blank_form(CheckAddForm) if editable else None,
        # Nothing on the list of a ticket without defaults: a short card, folded.
        "optional": not checks and not templates,
    }


def requester_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """What was checked, shown to the requester while they are asked to verify the fix."""
    if ticket.state != TicketState.RESOLVED or not permissions.is_requester_of(ticket, user):
        return None
    checks = service.checks_of(ticket)
    if not checks:
        return None
    return {"rows": _rows(checks)}


def report_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    checks = service.checks_of(ticket)
    if not checks:
        return None
    return {"rows": _rows(checks)}


# --- posts ---------------------------------------------------------------------------------


def _rerender(
    request: HttpRequest,
    number: str,
    status: int,
    error: str,
    *,
    posted: dict[int, tuple[str, str]] | None = None,
    errors: dict[int, dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    """The ticket page again; the checklist shows what was ``posted`` and each check's
    ``errors`` beside it."""
    context = detail_context(request, ticket_or_404(request, number))
    context.update(extra)
    context["action_error"] = error
    for shown in context["panels"].get("work", []):
        for row in shown.context.get("rows", []) if shown.name == WORK_PANEL else []:
            pk = row["check"].pk
            if posted and pk in posted:
                row["result"], row["note"] = posted[pk]
            row["errors"] = (errors or {}).get(pk, {})
    return render(request, "tickets/detail.html", context, status=status)


def _done(request: HttpRequest, number: str, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("tickets:detail", kwargs={"number": number}) + anchor)


@login_required
@require_POST
def record_check(request: HttpRequest, number: str, check_id: int) -> HttpResponse:
    """One check's result (passed, failed, not applicable) and its note."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    form = CheckRecordForm(request.POST)
    refused = run_form(
        form, lambda data: service.record_check(ticket.pk, check_id, actor=actor, **data)
    )
    if refused is None:
        return _done(request, number, _("Check recorded."), f"#check-{check_id}")
    posted = {check_id: (request.POST.get("result", ""), request.POST.get("note", ""))}
    errors = {check_id: {name: " ".join(str(m) for m in ms) for name, ms in form.errors.items()}}
    return _rerender(request, number, refused.status, refused.error, posted=posted, errors=errors)


@login_required
@require_POST
def record_checks(request: HttpRequest, number: str) -> HttpResponse:
    """The whole checklist in one post: ``result-<id>`` and ``note-<id>`` per check; a check
    left without a result stays as it was. All or nothing: a refusal shows the checklist
    as posted, each error beside its check."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    answers: dict[int, tuple[str, str]] = {}
    for key in request.POST:
        kind, _sep, raw_id = key.partition("-")
        if kind in ("result", "note") and raw_id.isdigit() and len(raw_id) < 12:
            answers[int(raw_id)] = (
                request.POST.get(f"result-{raw_id}", ""),
                request.POST.get(f"note-{raw_id}", ""),
            )
    if not answers:
        return _rerender(request, number, 400, _("Choose a result for at least one check."))
    try:
        service.record_checks(ticket.pk, answers, actor=actor)
    except TicketNotFound:
        raise Http404 from None
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except InvalidTransition as exc:
        return _rerender(request, number, 409, str(exc))
    except ValidationError as exc:
        errors: dict[int, dict[str, str]] = {}
        for field, messages in exc.message_dict.items():
            kind, _sep, raw_id = field.partition("-")
            errors.setdefault(int(raw_id), {})[kind] = " ".join(messages)
        error = _("Nothing was recorded: see the marked checks.")
        return _rerender(request, number, 400, error, posted=answers, errors=errors)
    return _done(request, number, _("Checks recorded."), "#checks")


@login_required
@require_POST
def add_check(request: HttpRequest, number: str) -> HttpResponse:
    """A check of the engineer's own, at the end of the list."""
    ticket = ticket_or_404(request, number)
    actor = signed_in_user(request)
    form = CheckAddForm(request.POST)
    refused = run_form(
        form, lambda data: service.add_check(ticket.pk, actor=actor, label=data["label"])
    )
    if refused is None:
        return _done(request, number, _("Check added."), "#checks")
    status, error = refused.status, refused.error
    return _rerender(request, number, status, error, check_add_form=form)
