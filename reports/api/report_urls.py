"""The report endpoints (``reports.api.reports``)."""

from django.urls import path

from reports.api import reports

urlpatterns = [
    path("reports/sla/", reports.SlaReportView.as_view(), name="reports-sla"),
    path("reports/volume/", reports.VolumeReportView.as_view(), name="reports-volume"),
    path("reports/backlog/", reports.BacklogReportView.as_view(), name="reports-backlog"),
    path(
        "reports/satisfaction/",
        reports.SatisfactionReportView.as_view(),
        name="reports-satisfaction",
    ),
    path("reports/engineers/", reports.EngineersReportView.as_view(), name="reports-engineers"),
]
