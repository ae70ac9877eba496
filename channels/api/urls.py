"""``/api/v1/intake/im/<provider>/``: the IM providers' callbacks (``channels.intake``)."""

from django.urls import URLPattern, path

from channels.api import views

app_name = "channels-api"

urlpatterns: list[URLPattern] = [
    path("intake/im/<str:provider>/", views.intake, name="intake"),
]
