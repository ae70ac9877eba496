"""``/api/v1/reports/…``: the report endpoints (``reports.api.report_urls``) and the review
and audit (``reports.api.review_urls``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("reports.api.report_urls")),
    path("", include("reports.api.review_urls")),
]
