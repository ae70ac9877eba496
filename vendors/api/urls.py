"""API of vendor collaboration: /api/v1/vendors/, /api/v1/tickets/{number}/vendor-cases/."""

from django.urls import path

from vendors.api import views

app_name = "vendors-api"
urlpatterns = [
    path("vendors/", views.VendorListView.as_view(), name="vendors"),
    path("vendors/<int:vendor_id>/", views.VendorDetailView.as_view(), name="vendor"),
    path(
        "tickets/<str:number>/vendor-cases/",
        views.TicketVendorCasesView.as_view(),
        name="ticket-vendor-cases",
    ),
    path(
        "tickets/<str:number>/vendor-cases/<int:case_id>/close/",
        views.VendorCaseCloseView.as_view(),
        name="vendor-case-close",
    ),
    path(
        "tickets/<str:number>/vendor-cases/<int:case_id>/updates/",
        views.VendorCaseUpdatesView.as_view(),
        name="vendor-case-updates",
    ),
]
