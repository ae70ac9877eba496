"""Manager pages: the reports with their charts and the dashboard (``reports.views.pages``),
the weekly problem review and the monthly audit (``reports.views.review``)."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.views.page_urls")),
    path("", include("reports.views.review_urls")),
]
