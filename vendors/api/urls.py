"""API of vendor collaboration: /api/v1/vendors/, /api/v1/tickets/{number}/vendor-cases/."""

from django.urls import path  # noqa: F401

app_name = "vendors-api"
urlpatterns: list = []  # type: ignore[type-arg]
