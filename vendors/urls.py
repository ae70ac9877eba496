"""Pages of vendor collaboration."""

from django.urls import path  # noqa: F401

app_name = "vendors"
urlpatterns: list = []  # type: ignore[type-arg]
