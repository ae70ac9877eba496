"""The device pages, under /assets/."""

from django.urls import path

from assets import views

app_name = "assets"
urlpatterns = [
    path("", views.asset_list, name="list"),
    path("new/", views.asset_new, name="new"),
    path("<int:asset_id>/", views.asset_detail, name="detail"),
    path("<int:asset_id>/edit/", views.asset_edit, name="edit"),
    path("import/", views.import_assets, name="import"),
    path("import/example.csv", views.import_example, name="import_example"),
    path("import/<str:job_id>/", views.import_job, name="import_job"),
    path("import/<str:job_id>/progress/", views.import_progress, name="import_progress"),
]
