"""API of the engineer's field work: /api/v1/tickets/{number}/consents/ … and /api/v1/assets/."""

from django.urls import path  # noqa: F401  (each feature adds its routes below)

app_name = "fieldwork-api"
urlpatterns: list = []  # type: ignore[type-arg]
