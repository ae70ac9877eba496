"""Survey pages: the requester's answer, posted from her ticket page."""

from django.urls import URLPattern, path

from feedback import views

app_name = "feedback"

urlpatterns: list[URLPattern] = [
    path("<str:number>/survey/", views.answer, name="answer"),
]
