"""Pages of the monthly process audit: the list of audits (newest first, with the draw
form), an audit's page (the sample with each ticket's checklist, the score, the
improvement actions), its printable page, and its buttons.

Auditors only (managers, tech leads, admins: ``reports.review.access.may_audit``); anyone
else gets 403. Plain forms post here; success redirects back, a refusal re-renders the
page with the error beside its field (400) or above it (409).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from reports.models import AuditCheckKey, AuditResult, ProcessAudit
from reports.review import access, audits, selectors
from reports.review.forms import ActionsTextForm, DrawForm
from reports.review.periods import desk_today, month_bounds, previous_month
from tickets.errors import InvalidTransition
from tickets.views.common import run_form, signed_in_user

PAGE_SIZE = 24


def _auditor(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not access.may_audit(user):
        raise PermissionDenied(_("The process audit is for managers and tech leads."))
    return user


def _audit(audit_id: int) -> ProcessAudit:
    found = ProcessAudit.objects.filter(pk=audit_id).first()
    if found is None:
        raise audits.AuditNotFound
    return found


def _page_url(audit: ProcessAudit, anchor: str = "") -> str:
    url = reverse("reports:audit_detail", kwargs={"audit_id": audit.pk})
    return f"{url}#{anchor}" if anchor else url


def _rows(page_rows: list[ProcessAudit]) -> list[dict[str, Any]]:
    return [
        {"audit": a, "score": selectors.score(a.n_passed, a.n_failed)}  # type: ignore[attr-defined]
        for a in page_rows
    ]


def _list_page(
    request: HttpRequest, form: DrawForm | None = None, status: int = 200, error: str = ""
) -> HttpResponse:
    page = Paginator(selectors.audit_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    last = previous_month(desk_today())
    if form is None:
        form = DrawForm(
            initial={"month": f"{last:%Y-%m}", "size": settings.REPORTS_AUDIT_SAMPLE_SIZE}
        )
    context = {
        "page": page,
        "rows": _rows(list(page.object_list)),
        "form": form,
        "last_month": last,
        "last_month_drawn": ProcessAudit.objects.filter(month=last).exists(),
        "error": error,
        "nav": "reports",
    }
    return render(request, "reports/audit/list.html", context, status=status)


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    return _list_page(request)


@login_required
@require_POST
def audit_draw(request: HttpRequest) -> HttpResponse:
    """Draw a month's sample (or draw it again while nothing of it is confirmed)."""
    user = _auditor(request)
    form = DrawForm(request.POST)
    drawn: list[ProcessAudit] = []

    def run(data: dict[str, Any]) -> None:
        size, seed = data["size"], data["seed"]
        drawn.append(audits.draw_audit(data["month"], actor=user, size=size, seed=seed))

    refused = run_form(form, run)
    if refused is None:
        messages.success(request, _("Sample drawn: check each ticket against the checklist."))
        return redirect(_page_url(drawn[0]))
    return _list_page(request, form, refused.status, refused.error)


def audit_context(
    request: HttpRequest,
    audit: ProcessAudit,
    *,
    actions_form: ActionsTextForm | None = None,
    failed: tuple[int, dict[str, Any]] | None = None,
    error: str = "",
) -> dict[str, Any]:
    """The audit, its sample with the checklists and the score (a fixed number of queries);
    ``failed`` is the sampled ticket whose form was refused, with what was typed and the
    errors."""
    user = signed_in_user(request)
    view = selectors.audit_view(audit, user)
    if actions_form is None and audit.is_open:
        actions_form = ActionsTextForm(initial={"improvement_actions": audit.improvement_actions})
    start, end = month_bounds(audit.month)
    rows = []
    for row in view.rows:
        typed = failed[1] if failed and failed[0] == row.item.pk else None
        rows.append(
            {
                "row": row,
                "typed": typed,
                "checks": [
                    {
                        "check": c,
                        "result": typed["values"].get(f"result_{c.key}", c.result)
                        if typed
                        else c.result,
                        "note": typed["values"].get(f"note_{c.key}", c.note) if typed else c.note,
                        "result_error": typed["errors"].get(f"result_{c.key}", "") if typed else "",
                        "note_error": typed["errors"].get(f"note_{c.key}", "") if typed else "",
                    }
                    for c in row.checks
                ],
            }
        )
    population = audit.population or {}
    return {
        "audit": audit,
        "view": view,
        "rows": rows,
        "start": start,
        "end": end,
        "population_total": sum(int(n) for n in population.values()),
        "strata": [
            {
                "priority": p,
                "population": population[p],
                "drawn": view.drawn.get(p, 0),
            }
            for p in ("high", "medium", "low")
            if p in population
        ],
        "results": AuditResult.choices,
        "actions_form": actions_form,
        "error": error,
        "nav": "reports",
    }


def _rerender(
    request: HttpRequest, audit: ProcessAudit, status: int, error: str = "", **forms: Any
) -> HttpResponse:
    context = audit_context(request, audit, error=error, **forms)
    return render(request, "reports/audit/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    """GET: the audit. POST: save the improvement actions."""
    user = _auditor(request)
    audit = _audit(audit_id)
    if request.method == "GET":
        return render(request, "reports/audit/detail.html", audit_context(request, audit))
    form = ActionsTextForm(request.POST)
    refused = run_form(
        form,
        lambda data: audits.write_actions(
            audit.pk, actor=user, improvement_actions=data["improvement_actions"]
        ),
    )
    if refused is None:
        messages.success(request, _("Improvement actions saved."))
        return redirect(_page_url(audit, "improvement"))
    return _rerender(request, audit, refused.status, refused.error, actions_form=form)


@login_required
@require_GET
def audit_print(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The audit as a printable page (the service report's print style)."""
    _auditor(request)
    audit = _audit(audit_id)
    return render(request, "reports/audit/print.html", audit_context(request, audit))


@login_required
@require_POST
def audit_confirm(request: HttpRequest, audit_id: int, audit_item_id: int) -> HttpResponse:
    """Confirm (or override, with a note) a sampled ticket's checklist."""
    user = _auditor(request)
    audit = _audit(audit_id)
    audits.item_of(audit, audit_item_id, user)  # 404 before the input
    answers = {
        key: (request.POST.get(f"result_{key}"), request.POST.get(f"note_{key}", ""))
        for key in AuditCheckKey.values
    }
    try:
        audits.confirm_ticket(audit.pk, audit_item_id, actor=user, answers=answers)
    except InvalidTransition as exc:
        return _rerender(request, audit, 409, str(exc))
    except ValidationError as exc:
        typed = {
            "values": {k: v for k, v in request.POST.items() if k.startswith(("result_", "note_"))},
            "errors": {k: " ".join(v) for k, v in exc.message_dict.items()},
        }
        return _rerender(
            request,
            audit,
            400,
            _("The checklist was not saved: see the marked items."),
            failed=(audit_item_id, typed),
        )
    messages.success(request, _("Checklist confirmed."))
    return redirect(_page_url(audit, f"item-{audit_item_id}"))


@login_required
@require_POST
def audit_close(request: HttpRequest, audit_id: int) -> HttpResponse:
    user = _auditor(request)
    audit = _audit(audit_id)
    try:
        audits.close_audit(audit.pk, actor=user)
    except InvalidTransition as exc:
        return _rerender(request, audit, 409, str(exc))
    messages.success(request, _("Audit closed."))
    return redirect(_page_url(audit))
