from django.urls import path

from tickets import notification_views

app_name = "notifications"
urlpatterns = [
    path("", notification_views.inbox, name="inbox"),
    path("read/", notification_views.mark_all_read, name="read"),
]
