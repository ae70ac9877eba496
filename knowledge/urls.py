"""Knowledge pages (``/knowledge/…``): articles, their revisions and review
(``knowledge.views.article_urls``), search and suggestions (``search_urls``), the scripts
library (``script_urls``), and what is done from a ticket (``ticket_urls``)."""

from django.urls import include, path

app_name = "knowledge"

urlpatterns = [
    path("", include("knowledge.views.article_urls")),
    path("", include("knowledge.views.search_urls")),
    path("", include("knowledge.views.script_urls")),
    path("", include("knowledge.views.ticket_urls")),
]
