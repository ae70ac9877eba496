"""``/api/v1/knowledge/suggest/`` (``knowledge.api.search_views``)."""

from django.urls import URLPattern, path

from knowledge.api import search_views

urlpatterns: list[URLPattern] = [
    path("suggest/", search_views.SuggestView.as_view(), name="suggest"),
]
