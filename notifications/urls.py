from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read/", views.mark_all_read, name="read"),
    path("preferences/", views.preferences_page, name="preferences"),
]
