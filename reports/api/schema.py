"""What the report endpoints answer, for the OpenAPI schema: serializers built from the
engine's own columns (so the schema cannot drift from the numbers), the query parameters,
and the definitions in the operations' descriptions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from reports.engine import Column
from reports.engine import backlog as backlog_engine
from reports.engine import engineers as engineers_engine
from reports.engine import satisfaction as satisfaction_engine
from reports.engine import sla as sla_engine
from reports.engine import volume as volume_engine
from reports.engine.definitions import DEFINITIONS

_FIELDS: dict[str, type[serializers.Field[Any, Any, Any, Any]]] = {
    "int": serializers.IntegerField,
    "pct": serializers.FloatField,
    "minutes": serializers.FloatField,
    "float": serializers.FloatField,
}


def row_serializer(name: str, columns: Sequence[Column]) -> type[serializers.Serializer[Any]]:
    """A serializer class named ``name`` with ``key``, ``label`` and one field per column
    (counts are integers; percentages, minutes and averages numbers or ``null``)."""
    fields: dict[str, Any] = {
        "key": serializers.CharField(help_text="The group's raw value (total: `total`)."),
        "label": serializers.CharField(help_text="The group's name for people."),
    }
    for column in columns:
        field_class = _FIELDS.get(column.kind, serializers.CharField)
        nullable = column.kind != "int"
        fields[column.key] = field_class(
            allow_null=nullable, help_text=str(column.label), required=True
        )
    return type(name, (serializers.Serializer,), fields)


class PeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField(help_text="`from`, inclusive.")
    end = serializers.DateField(help_text="`to`, inclusive.")


# Built like the rows: a field named ``label`` shadows ``Field.label`` for the type checker.
ColumnSerializer = type(
    "ColumnSerializer",
    (serializers.Serializer,),
    {
        "key": serializers.CharField(),
        "label": serializers.CharField(),
        "kind": serializers.ChoiceField(choices=["int", "pct", "minutes", "float", "text", "date"]),
    },
)


def report_serializer(
    name: str,
    row: type[serializers.Serializer[Any]],
    **extra: serializers.Field[Any, Any, Any, Any],
) -> type[serializers.Serializer[Any]]:
    fields: dict[str, Any] = {
        "report": serializers.CharField(),
        "group_by": serializers.CharField(),
        "period": PeriodSerializer(),
        "columns": ColumnSerializer(many=True),
        "rows": row(many=True),
        "total": row(),
        **extra,
    }
    return type(name, (serializers.Serializer,), fields)


class BreachSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    title = serializers.CharField()
    priority = serializers.CharField()
    site = serializers.CharField(help_text='Site code (`""`: no site).')
    assignee = serializers.CharField(help_text='Username (`""`: unassigned).')
    submitted_at = serializers.DateTimeField()
    response_due_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    response_breached = serializers.BooleanField()
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution_breached = serializers.BooleanField()
    url = serializers.CharField(help_text="The ticket's page.")


SlaRow = row_serializer("SlaReportRow", sla_engine.COLUMNS)
VolumeRow = row_serializer("VolumeReportRow", volume_engine.COLUMNS)
BacklogRow = row_serializer("BacklogReportRow", backlog_engine.COLUMNS)
AgeingRow = row_serializer("BacklogAgeingRow", backlog_engine.AGEING_COLUMNS)
SatisfactionRow = row_serializer("SatisfactionReportRow", satisfaction_engine.COLUMNS)
EngineerRow = row_serializer("EngineersReportRow", engineers_engine.COLUMNS)

SlaReport = report_serializer(
    "SlaReport",
    SlaRow,
    breaches=BreachSerializer(many=True, help_text="The first breaches, in submission order."),
    breaches_found=serializers.IntegerField(help_text="Tickets breached in all."),
)
VolumeReport = report_serializer("VolumeReport", VolumeRow)
BacklogReport = report_serializer(
    "BacklogReport",
    BacklogRow,
    ageing=AgeingRow(many=True, help_text="The tickets open now, by age."),
    ageing_total=AgeingRow(),
)
SatisfactionReport = report_serializer("SatisfactionReport", SatisfactionRow)
EngineersReport = report_serializer("EngineersReport", EngineerRow)


def parameters(groups: Sequence[str], default: str) -> list[OpenApiParameter]:
    def many(name: str, what: str) -> OpenApiParameter:
        return OpenApiParameter(
            name, str, many=True, explode=True, description=f"{what}; repeat or comma-separate."
        )

    found = [
        OpenApiParameter("from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)."),
        many("site", "Site codes"),
        many("category", "Category slugs (a parent takes its sub-categories)"),
        many("priority", "Priorities (`high`, `medium`, `low`)"),
        many("channel", "Channels (`web`, `im`, `phone`, `email`, `api`)"),
        many("engineer", "Assignees' usernames"),
        OpenApiParameter(
            "format",
            str,
            enum=["json", "csv", "xlsx"],
            description="`csv` or `xlsx` for the export (or `Accept: text/csv`).",
        ),
    ]
    if groups:
        found.append(
            OpenApiParameter(
                "group_by", str, enum=list(groups), description=f"Default `{default}`."
            )
        )
    return found


def responses(report: type[serializers.Serializer[Any]]) -> dict[Any, Any]:
    return {
        (200, "application/json"): report,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The table as CSV."),
        (
            200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ): OpenApiResponse(OpenApiTypes.BINARY, description="The report as a workbook."),
        400: OpenApiResponse(description="A bad parameter; the body names it."),
        403: OpenApiResponse(description="Managers and tech leads only."),
    }


def description(what: str) -> str:
    return f"{what}\n\nManagers and tech leads only (others: 403).\n\n{DEFINITIONS}"
