from django.urls import path

from accounts.api.views import TokenView

app_name = "accounts-api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
]
