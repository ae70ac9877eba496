"""Article pages under ``/knowledge/``: browse, read, write, review, history, files,
feedback (``knowledge.views.articles``, ``review``, ``files``)."""

from django.urls import URLPattern, path

from knowledge.views import articles, files, review

urlpatterns: list[URLPattern] = [
    path("", articles.browse, name="browse"),
    path("review/", review.review_page, name="review"),
    path("articles/new/", articles.article_new, name="article_new"),
    path("articles/<int:article_id>/", articles.article_detail, name="article"),
    path("articles/<int:article_id>/edit/", articles.article_edit, name="article_edit"),
    path("articles/<int:article_id>/status/", review.article_status, name="article_status"),
    path("articles/<int:article_id>/feedback/", articles.article_feedback, name="article_feedback"),
    path(
        "articles/<int:article_id>/revisions/",
        review.article_revisions,
        name="article_revisions",
    ),
    path("articles/<int:article_id>/diff/", review.article_diff, name="article_diff"),
    path("articles/<int:article_id>/files/", files.article_file_add, name="article_file_add"),
    path("articles/<int:article_id>/files/<int:file_id>/", files.article_file, name="article_file"),
    path(
        "articles/<int:article_id>/files/<int:file_id>/delete/",
        files.article_file_delete,
        name="article_file_delete",
    ),
]
