"""Pages of vendor collaboration: the vendor list, and the ticket page's case actions."""

from django.urls import path

from vendors import views

app_name = "vendors"
urlpatterns = [
    path("", views.vendor_list, name="list"),
    path("<int:vendor_id>/", views.vendor_edit, name="edit"),
    path("tickets/<str:number>/cases/", views.case_open, name="case_open"),
    path("tickets/<str:number>/cases/<int:case_id>/update/", views.case_update, name="case_update"),
    path("tickets/<str:number>/cases/<int:case_id>/close/", views.case_close, name="case_close"),
]
