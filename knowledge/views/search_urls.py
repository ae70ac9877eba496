"""Suggestions while filing (``/knowledge/suggest/``: the new-ticket form's list, and
"this solved my problem") and the deflection numbers (``/knowledge/deflection/``)."""

from django.urls import path

from knowledge.views import deflection, suggest

urlpatterns = [
    path("suggest/", suggest.suggest, name="suggest"),
    path("suggest/accept/", suggest.accept, name="suggest_accept"),
    path("deflection/", deflection.deflection_page, name="deflection"),
]
