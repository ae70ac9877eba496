"""The report pages: a filter bar, charts, the same numbers in a table, the definitions.

Each view is an adapter: it reads the filters (``reports.forms``, validated by the
engine's own ``params.filters_from``), asks the engine for the report and hands the rows to
``present`` (tables and charts, ``reports.views.present``). A bad filter renders the page
with the error beside its control and status 400; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reports import engine
from reports.engine import Filters, Report
from reports.forms import ReportFilterForm
from reports.views import catalogue, present
from reports.views.catalogue import Page
from reports.views.common import exports, quick_picks, report_reader

Runner = Callable[[Filters, str], Report]
Presenter = Callable[[Report, Filters], dict[str, Any]]


def _show(
    request: HttpRequest, page: Page, run: Runner, show: Presenter, template: str
) -> HttpResponse:
    user = report_reader(request)
    data = request.GET
    form = ReportFilterForm(data, request=request, user=user, groups=page.groups)
    filters = form.filters if form.is_valid() else None
    shown = (filters.start, filters.end) if filters is not None else None
    context: dict[str, Any] = {
        "page": page,
        "nav": "reports",
        "report_nav": page.slug,
        "form": form,
        "quick_picks": quick_picks(data, shown),
        "definitions": page.definitions,
        "exports": [],
        "charts": [],
        "is_empty": False,
        "period": None,
    }
    status = 200
    if filters is not None:
        # The controls show the period the page shows, also when the address named none.
        shown_data = data.copy()
        shown_data.setlist("from", [filters.start.isoformat()])
        shown_data.setlist("to", [filters.end.isoformat()])
        if form.group_by:  # the page's default may not be the API's: the exports say it
            shown_data.setlist("group_by", [form.group_by])
        form.data = shown_data
        report = run(filters, form.group_by)
        context.update(
            period=filters,
            exports=exports(page.api, shown_data),
            is_empty=present.is_empty(report),
            report=report,
        )
        context.update(show(report, filters))
    else:
        status = 400
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def sla(request: HttpRequest) -> HttpResponse:
    """Response and resolution met % by priority or over time, and the breaches."""
    return _show(
        request,
        catalogue.SLA,
        lambda filters, group_by: engine.sla_report(filters, group_by=group_by),
        present.sla,
        "reports/sla.html",
    )


@login_required
@require_GET
def times(request: HttpRequest) -> HttpResponse:
    """Median and p90 response and resolution times, working and wall-clock."""
    return _show(
        request,
        catalogue.TIMES_PAGE,
        lambda filters, group_by: engine.sla_report(filters, group_by=group_by),
        present.times,
        "reports/times.html",
    )


@login_required
@require_GET
def volume(request: HttpRequest) -> HttpResponse:
    """Tickets by category, channel or site, with shares."""
    return _show(
        request,
        catalogue.VOLUME,
        lambda filters, group_by: engine.volume_report(filters, group_by=group_by),
        present.volume,
        "reports/volume.html",
    )


@login_required
@require_GET
def backlog(request: HttpRequest) -> HttpResponse:
    """Open tickets at the end of each day, and the open ones by age."""
    return _show(
        request,
        catalogue.BACKLOG_PAGE,
        lambda filters, group_by: engine.backlog_report(filters),
        present.backlog,
        "reports/backlog.html",
    )


@login_required
@require_GET
def satisfaction(request: HttpRequest) -> HttpResponse:
    """Survey averages and distributions per question, and their trend."""
    return _show(
        request,
        catalogue.SATISFACTION,
        lambda filters, group_by: engine.satisfaction_report(filters, group_by=group_by),
        present.satisfaction,
        "reports/satisfaction.html",
    )


@login_required
@require_GET
def engineers(request: HttpRequest) -> HttpResponse:
    """Per engineer: handled, times, ratings, reopened after a rejected fix."""
    return _show(
        request,
        catalogue.ENGINEERS,
        lambda filters, group_by: engine.engineers_report(filters),
        present.engineers,
        "reports/engineers.html",
    )
