"""Pages of the engineer's field work, under /tickets/<number>/… beside the ticket's own."""

from django.urls import path  # noqa: F401  (each feature adds its routes below)

app_name = "fieldwork"
urlpatterns: list = []  # type: ignore[type-arg]
