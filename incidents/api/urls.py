"""API of major incidents: /api/v1/incidents/ and /api/v1/incidents/{number}/…"""

from django.urls import path

from incidents.api import review, views

app_name = "incidents-api"
urlpatterns = [
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/<str:number>/", views.IncidentDetailView.as_view(), name="incident"),
    path("incidents/<str:number>/members/", views.MembersView.as_view(), name="members"),
    path("incidents/<str:number>/status/", views.StatusView.as_view(), name="status"),
    path("incidents/<str:number>/restore/", views.RestoreView.as_view(), name="restore"),
    path("incidents/<str:number>/link/", views.LinkView.as_view(), name="link"),
    path("incidents/<str:number>/reports/", views.ReportsView.as_view(), name="reports"),
    # The post-incident review (incidents/api/review.py).
    path("incidents/<str:number>/review/", review.IncidentReviewView.as_view(), name="review"),
    path(
        "incidents/<str:number>/review/actions/",
        review.ReviewActionsView.as_view(),
        name="review-actions",
    ),
    path(
        "incidents/<str:number>/review/actions/<int:action_id>/",
        review.ReviewActionView.as_view(),
        name="review-action",
    ),
]
