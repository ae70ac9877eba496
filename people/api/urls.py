from django.urls import path

from people.api.views import EngineerDetailView, EngineerListView, EngineerSkillsView

app_name = "people-api"
urlpatterns = [
    path("engineers/", EngineerListView.as_view(), name="engineers"),
    path("engineers/<str:username>/", EngineerDetailView.as_view(), name="engineer"),
    path("engineers/<str:username>/skills/", EngineerSkillsView.as_view(), name="skills"),
]
