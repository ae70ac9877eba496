from django.urls import path

from notifications import views
from notifications.email import views as email_views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read/", views.mark_all_read, name="read"),
    path("read/<slug:kind>/", views.mark_kind_read, name="read_kind"),
    path("preferences/", views.preferences_page, name="preferences"),
    path("unsubscribe/<str:unsubscribe_token>/", email_views.unsubscribe_page, name="unsubscribe"),
]
