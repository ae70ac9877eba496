"""Report pages and the manager dashboard."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
