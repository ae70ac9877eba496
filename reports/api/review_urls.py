"""The review and audit endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
