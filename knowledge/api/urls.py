"""``/api/v1/knowledge/…``: articles (``article_urls``), suggestions (``search_urls``),
scripts (``script_urls``)."""

from django.urls import include, path

app_name = "knowledge-api"

urlpatterns = [
    path("knowledge/", include("knowledge.api.article_urls")),
    path("knowledge/", include("knowledge.api.search_urls")),
    path("knowledge/", include("knowledge.api.script_urls")),
]
