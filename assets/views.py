"""The device pages: the register (search, add, edit), one device with its tickets and
maintenance history, and the CSV import with its progress bar.

Adapters: parse, call one service or selector, render. A requester sees the devices they
own, read-only; staff with ``view_assets`` see every device; 404 for a device one may not
see, 403 for an action one may not take, a form error (400) for bad input.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.permissions import capabilities
from assets import csv_import, hooks, permissions, selectors, services
from assets.errors import AssetForbidden
from assets.forms import AssetForm, AssetSearchForm, ImportForm, StyledForm
from assets.validation import FIELDS, label

PAGE_SIZE = 50
# The asset page lists at most this many maintenance records (newest first).
HISTORY_LIMIT = 200


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # login_required ran first
        raise PermissionDenied
    return request.user


@login_required
@require_GET
def asset_list(request: HttpRequest) -> HttpResponse:
    """The register (staff) or the person's own devices, searched by tag, model, owner."""
    user = _user(request)
    form = AssetSearchForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    rows = selectors.asset_list_for(user, q=params.get("q", ""), kind=params.get("kind", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "assets/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "searched": bool(query),
            "all_devices": capabilities(user).view_assets,
            "can_add": permissions.can_add(user),
            "can_import": permissions.can_import(user),
            "today": timezone.localdate(),
            "nav": "assets",
        },
    )


@login_required
@require_GET
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    """One device: its details, its tickets (those the viewer may see) and its history."""
    user = _user(request)
    asset = selectors.get_asset_for(user, asset_id)
    history = selectors.maintenance_for(asset.pk, limit=HISTORY_LIMIT)
    staff = capabilities(user).view_assets
    return render(
        request,
        "assets/detail.html",
        {
            "asset": asset,
            "tickets": hooks.tickets_of(asset, user),
            "history": history,
            "history_limited": len(history) == HISTORY_LIMIT,
            # Staff open any ticket; a requester only the tickets that are hers.
            "link_all_tickets": staff,
            "can_edit": permissions.can_edit(asset, user),
            "today": timezone.localdate(),
            "nav": "assets",
        },
    )


def _apply_errors(form: StyledForm, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def asset_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.can_add(user):
        raise AssetForbidden(_("You may not add devices."))
    form = AssetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                asset = services.create_asset(actor=user, data=dict(form.cleaned_data))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Device %(tag)s added.") % {"tag": asset.tag})
                return redirect("assets:detail", asset_id=asset.pk)
    return render(
        request, "assets/form.html", {"form": form, "asset": None, "nav": "assets"}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    user = _user(request)
    asset = selectors.get_asset_for(user, asset_id)
    if not permissions.can_edit(asset, user):
        raise AssetForbidden(_("You may not change devices."))
    form = AssetForm(request.POST) if request.method == "POST" else AssetForm.for_asset(asset)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_asset(asset.pk, actor=user, changes=dict(form.cleaned_data))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Device %(tag)s saved.") % {"tag": asset.tag})
                return redirect("assets:detail", asset_id=asset.pk)
    return render(
        request, "assets/form.html", {"form": form, "asset": asset, "nav": "assets"}, status=status
    )


# --- CSV import ----------------------------------------------------------------------------


def _importer(request: HttpRequest) -> User:
    user = _user(request)
    if not permissions.can_import(user):
        raise AssetForbidden(_("You may not import devices."))
    return user


@login_required
@require_http_methods(["GET", "POST"])
def import_assets(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file; then the job's page (its progress bar, then its report)."""
    user = _importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                job = services.start_import(actor=user, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("assets:import_job", job_id=job.id)
    max_mb, max_rows, _inline = services.import_limits()
    return render(
        request,
        "assets/import.html",
        {"form": form, "max_mb": max_mb, "max_rows": max_rows, "nav": "assets"},
        status=status,
    )


@login_required
@require_GET
def import_example(request: HttpRequest) -> HttpResponse:
    """An example file to start from."""
    _importer(request)
    response = HttpResponse(csv_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="devices-example.csv"'
    return response


def _job_context(job: csv_import.ImportJob) -> dict[str, Any]:
    labels = {name: label(name) for name in FIELDS}
    labels[csv_import.ROW] = _("the whole line")
    return {
        "job": job,
        "errors": [(e.line, e.field, labels.get(e.field, e.field), e.message) for e in job.errors],
        "progress_url": reverse("assets:import_progress", kwargs={"job_id": job.id}),
        "nav": "assets",
    }


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """The job's page: a progress bar that polls until the job is done, then the report."""
    job = services.import_progress(job_id, actor=_importer(request))
    return render(request, "assets/import_job.html", _job_context(job))


@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment htmx polls every second (it stops polling once finished)."""
    job = services.import_progress(job_id, actor=_importer(request))
    response = render(request, "assets/partials/_import_progress.html", _job_context(job))
    response["Cache-Control"] = "no-store"
    return response
