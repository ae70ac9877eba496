"""The people pages, under /people/."""

from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("skills/", views.matrix, name="matrix"),
    path("skills/<str:username>/", views.engineer_edit, name="edit"),
    path("me/", views.my_skills, name="mine"),
]
