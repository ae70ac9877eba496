"""Survey endpoints: a ticket's survey (read, answer) and the list for tech leads and managers."""

from django.urls import URLPattern, path

from feedback.api import views

app_name = "feedback-api"

urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/survey/", views.TicketSurveyView.as_view(), name="ticket-survey"),
    path("surveys/", views.SurveyListView.as_view(), name="surveys"),
]
