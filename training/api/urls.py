"""API of training: /api/v1/trainings/, /api/v1/assessments/, /api/v1/drills/."""

from django.urls import path

from training.api import views

app_name = "training-api"
urlpatterns = [
    path("trainings/", views.SessionListView.as_view(), name="trainings"),
    path("trainings/<int:session_id>/", views.SessionDetailView.as_view(), name="training"),
    path(
        "trainings/<int:session_id>/attendance/",
        views.SessionAttendanceView.as_view(),
        name="training-attendance",
    ),
    path(
        "trainings/<int:session_id>/cancel/",
        views.SessionCancelView.as_view(),
        name="training-cancel",
    ),
    path("assessments/", views.AssessmentListView.as_view(), name="assessments"),
    path("drills/", views.DrillListView.as_view(), name="drills"),
    path("drills/<int:drill_id>/", views.DrillDetailView.as_view(), name="drill"),
    path("drills/<int:drill_id>/start/", views.DrillStartView.as_view(), name="drill-start"),
    path("drills/<int:drill_id>/answer/", views.DrillAnswerView.as_view(), name="drill-answer"),
    path("drills/<int:drill_id>/score/", views.DrillScoreView.as_view(), name="drill-score"),
    path(
        "drills/<int:drill_id>/withdraw/", views.DrillWithdrawView.as_view(), name="drill-withdraw"
    ),
]
