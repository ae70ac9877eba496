"""The scripts library under ``/knowledge/scripts/`` (``knowledge.views.scripts``)."""

from django.urls import URLPattern, path

from knowledge.views import scripts

urlpatterns: list[URLPattern] = [
    path("scripts/", scripts.script_list, name="scripts"),
    path("scripts/new/", scripts.script_new, name="script_new"),
    path("scripts/<int:script_id>/", scripts.script_detail, name="script"),
    path("scripts/<int:script_id>/edit/", scripts.script_edit, name="script_edit"),
    path("scripts/<int:script_id>/download/", scripts.script_download, name="script_download"),
]
