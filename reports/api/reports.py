"""The report API: ``/api/v1/reports/sla/``, ``volume/``, ``backlog/``, ``satisfaction/``,
``engineers/``.

Adapters: read the filters (``reports.engine.params``: 400 naming the parameter), ask the
engine, answer JSON — ``{"rows": [...], "total": {...}}`` with the period, the grouping, the
columns and what the report adds (the SLA's breaches, the backlog's ageing) — or, with
``?format=csv`` / ``Accept: text/csv`` or ``?format=xlsx``, the export as an attachment
named after the report and its period. Managers and tech leads only (``view_reports``):
anyone else signed in gets 403, nobody signed in 401/403 as everywhere in the API.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import capabilities
from reports import engine, exports
from reports.api import schema
from reports.engine import Column, Report, params
from servicedesk.lib.api_http import JsonUnlessDebugNegotiation


class CsvRenderer(BaseRenderer):
    """Passes the export's bytes through (the view builds them)."""

    media_type = "text/csv"
    format = "csv"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class XlsxRenderer(CsvRenderer):
    media_type = exports.XLSX_TYPE
    format = "xlsx"


class CanReadReports(permissions.BasePermission):
    message = gettext_lazy("Managers and tech leads read the reports.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(capabilities(request.user).view_reports)


class _Negotiation(JsonUnlessDebugNegotiation):
    """An unknown ``?format=`` is a bad parameter (400 naming it), not DRF's 404."""

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> Any:
        wanted = format_suffix or request.query_params.get("format")
        if wanted and wanted not in {r.format for r in renderers}:
            raise ValidationError({"format": _("Choose json, csv or xlsx.")})
        return super().select_renderer(request, renderers, format_suffix)


def _columns(columns: list[Column]) -> list[dict[str, str]]:
    return [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in columns]


def as_json(report: Report) -> dict[str, Any]:
    """The JSON body of a report (the schema's ``…Report``)."""
    body: dict[str, Any] = {
        "report": report.name,
        "group_by": report.group_by,
        "period": {"start": report.filters.start, "end": report.filters.end},
        "columns": _columns(report.columns),
        "rows": report.rows,
        "total": report.total,
    }
    if report.name == "sla":
        body["breaches"] = report.extra["breaches"]
        body["breaches_found"] = report.extra["breaches_found"]
    if report.name == "backlog":
        body["ageing"] = report.extra["ageing"]
        body["ageing_total"] = report.extra["ageing_total"]
    return body


class _ReportView(APIView):
    """One report. ``groups`` empty: the report has a fixed grouping."""

    permission_classes = [permissions.IsAuthenticated, CanReadReports]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CsvRenderer, XlsxRenderer]
    content_negotiation_class = _Negotiation
    groups: tuple[str, ...] = ()
    default_group = ""

    def report(self, filters: engine.Filters, group_by: str) -> Report:
        raise NotImplementedError

    def read(self, query: Any, user: User) -> tuple[engine.Filters, str]:
        """The filters and the grouping; every bad parameter named in one 400."""
        errors: dict[str, list[str]] = {}
        filters: engine.Filters | None = None
        group_by = ""
        try:
            filters = params.filters_from(query, user)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.groups:
            try:
                group_by = params.group_by_from(query, self.groups, self.default_group)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors or filters is None:
            raise ValidationError(errors)
        return filters, group_by

    def get(self, request: Request) -> Response | HttpResponse:
        user = request.user
        if not isinstance(user, User):  # IsAuthenticated ran first
            raise exceptions.NotAuthenticated
        filters, group_by = self.read(request.query_params, user)
        report = self.report(filters, group_by)
        kind = request.accepted_renderer.format if request.accepted_renderer else "json"
        if kind in ("csv", "xlsx"):
            body = exports.to_csv(report) if kind == "csv" else exports.to_xlsx(report)
            content_type = exports.CSV_TYPE if kind == "csv" else exports.XLSX_TYPE
            response = HttpResponse(body, content_type=content_type)
            name = exports.filename(report, kind)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "private, no-store"
            return response
        answer = Response(as_json(report))
        answer["Cache-Control"] = "private, no-store"
        return answer


class SlaReportView(_ReportView):
    groups = engine.GROUPS
    default_group = "priority"

    def report(self, filters: engine.Filters, group_by: str) -> Report:
        return engine.sla_report(filters, group_by=group_by)

    @extend_schema(
        operation_id="reports_sla",
        summary="SLA compliance and times",
        description=schema.description(
            "Response and resolution met / breached / pending and met %, median and p90 in "
            "working and wall-clock minutes, per group and in total; the breaches with their "
            "ticket numbers and links."
        ),
        parameters=schema.parameters(engine.GROUPS, "priority"),
        responses=schema.responses(schema.SlaReport),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        return super().get(request)


class VolumeReportView(_ReportView):
    groups = engine.GROUPS
    default_group = "category"

    def report(self, filters: engine.Filters, group_by: str) -> Report:
        return engine.volume_report(filters, group_by=group_by)

    @extend_schema(
        operation_id="reports_volume",
        summary="Volume and shares",
        description=schema.description(
            "Tickets per category, channel, site … with each group's share of the period's "
            "tickets (%), how many are still open and how many were cancelled or merged."
        ),
        parameters=schema.parameters(engine.GROUPS, "category"),
        responses=schema.responses(schema.VolumeReport),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        return super().get(request)


class BacklogReportView(_ReportView):
    def report(self, filters: engine.Filters, group_by: str) -> Report:
        return engine.backlog_report(filters)

    @extend_schema(
        operation_id="reports_backlog",
        summary="Backlog per day and ageing",
        description=schema.description(
            "One row per day of the period up to today: the tickets open at the end of the "
            "day, submitted that day and closed that day; `ageing`: the tickets open now by "
            "age, per priority."
        ),
        parameters=schema.parameters((), ""),
        responses=schema.responses(schema.BacklogReport),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        return super().get(request)


class SatisfactionReportView(_ReportView):
    groups = engine.GROUPS
    default_group = "month"

    def report(self, filters: engine.Filters, group_by: str) -> Report:
        return engine.satisfaction_report(filters, group_by=group_by)

    @extend_schema(
        operation_id="reports_satisfaction",
        summary="Satisfaction",
        description=schema.description(
            "Surveys sent and answered, the average of each question (speed, quality, "
            "attitude) and of all three, the spread of ratings 1–5, answers rated 2 or less."
        ),
        parameters=schema.parameters(engine.GROUPS, "month"),
        responses=schema.responses(schema.SatisfactionReport),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        return super().get(request)


class EngineersReportView(_ReportView):
    def report(self, filters: engine.Filters, group_by: str) -> Report:
        return engine.engineers_report(filters)

    @extend_schema(
        operation_id="reports_engineers",
        summary="Per engineer",
        description=schema.description(
            "Per assignee: tickets handled and resolved, compliance, median and p90 times "
            "(working minutes), surveys and average rating, tickets reopened after a "
            "rejected fix."
        ),
        parameters=schema.parameters((), ""),
        responses=schema.responses(schema.EngineersReport),
    )
    def get(self, request: Request) -> Response | HttpResponse:
        return super().get(request)
