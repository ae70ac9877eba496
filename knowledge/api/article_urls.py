"""``/api/v1/knowledge/articles/…`` (``knowledge.api.articles``)."""

from django.urls import URLPattern, path

from knowledge.api import articles

urlpatterns: list[URLPattern] = [
    path("articles/", articles.ArticleListView.as_view(), name="articles"),
    path("articles/<int:article_id>/", articles.ArticleDetailView.as_view(), name="article"),
]
