"""The weekly problem review and the monthly process audit."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
