from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset answers the same for known and unknown addresses (no enumeration).
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:login"),
        ),
        name="password_reset_confirm",
    ),
    path("language/", views.set_language, name="language"),
    path("profile/", views.profile, name="profile"),
    path("profile/revoke-token/", views.revoke_token, name="revoke_token"),
    path("profile/link-im/", views.link_im, name="link_im"),
    path("profile/unlink-im/", views.unlink_im, name="unlink_im"),
    path("profile/log-out-everywhere/", views.log_out_everywhere, name="log_out_everywhere"),
]
