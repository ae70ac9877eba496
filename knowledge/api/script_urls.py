"""``/api/v1/knowledge/scripts/…`` (``knowledge.api.scripts``)."""

from django.urls import URLPattern, path

from knowledge.api import scripts

urlpatterns: list[URLPattern] = [
    path("scripts/", scripts.ScriptListView.as_view(), name="scripts"),
    path("scripts/<int:script_id>/", scripts.ScriptDetailView.as_view(), name="script"),
    path(
        "scripts/<int:script_id>/download/",
        scripts.ScriptDownloadView.as_view(),
        name="script-download",
    ),
]
