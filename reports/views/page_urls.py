"""Report pages and the manager dashboard."""

from django.urls import path

from reports.views import dashboard, pages

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sla/", pages.sla, name="sla"),
    path("times/", pages.times, name="times"),
    path("volume/", pages.volume, name="volume"),
    path("backlog/", pages.backlog, name="backlog"),
    path("satisfaction/", pages.satisfaction, name="satisfaction"),
    path("engineers/", pages.engineers, name="engineers"),
]
