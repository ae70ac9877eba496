"""Pages of training: sessions (the calendar), assessments, drills."""

from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_new, name="new"),
    path("<int:session_id>/", views.session_detail, name="session"),
    path("<int:session_id>/edit/", views.session_edit, name="edit"),
    path("<int:session_id>/attendance/", views.session_attendance, name="attendance"),
    path("<int:session_id>/cancel/", views.session_cancel, name="cancel"),
    path("<int:session_id>/assessments/", views.session_assess, name="session_assess"),
    path("<int:session_id>/files/", views.session_files_add, name="files_add"),
    path("<int:session_id>/files/<int:material_id>/", views.session_file, name="file"),
    path(
        "<int:session_id>/files/<int:material_id>/delete/",
        views.session_file_delete,
        name="file_delete",
    ),
    path("assessments/", views.assessment_list, name="assessments"),
    path("drills/", views.drill_list, name="drills"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("drills/<int:drill_id>/", views.drill_detail, name="drill"),
    path("drills/<int:drill_id>/start/", views.drill_start, name="drill_start"),
    path("drills/<int:drill_id>/answer/", views.drill_answer, name="drill_answer"),
    path("drills/<int:drill_id>/score/", views.drill_score, name="drill_score"),
    path("drills/<int:drill_id>/withdraw/", views.drill_withdraw, name="drill_withdraw"),
    path("drills/<int:drill_id>/files/<int:attachment_id>/", views.drill_file, name="drill_file"),
]
