from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services, throttle
from accounts.models import User


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; kept on the user so it follows them to every device.

    ``auto`` forgets the choice: the browser's language applies again.
    """
    language = request.POST.get("language", "")
    follow_browser = language == "auto"
    if not follow_browser and language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.set_user_language(request.user, "" if follow_browser else language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if follow_browser:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
    else:
        activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", httponly=True)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view (the e-mail is sent within the request), plus two guards.

    Links are built from ``SITE_URL``, never from the request's ``Host`` header, which an
    attacker controls (a poisoned reset link would hand them the victim's token). Requests
    are throttled per client and per e-mail address; the throttled answer is the same for
    known and unknown addresses, so it reveals nothing either.
    """

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        client = get_client_ip_address(self.request) or "unknown"
        if not throttle.allow_password_reset(email=form.cleaned_data["email"], client=client):
            form.add_error(
                None,
                _("Too many password reset requests. Please wait a while and try again."),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        site_url = settings.SITE_URL.rstrip("/")
        # Read per request (override_settings works); this instance serves one request.
        self.domain_override = urlsplit(site_url).netloc
        self.extra_email_context = {"site_url": site_url}
        return super().form_valid(form)


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's account: their API token's age, revoke, log out everywhere;
    their linked IM accounts, and (``?link=`` from the desk's IM answer) one to confirm."""
    user = _user(request)
    token = selectors.api_token_for(user)
    link = request.GET.get("link", "")
    to_link = services.read_im_link(link) if link else None
    if link and to_link is None:
        messages.error(
            request, _("This link is not valid or has expired: send the desk a message again.")
        )
    context: dict[str, Any] = {
        "token": token,
        "token_expires_at": services.token_expires_at(token) if token else None,
        "token_is_expired": services.is_token_expired(token) if token else False,
        "im_accounts": [
            (provider, services.im_id_label(provider), getattr(user, field))
            for provider, field in services.IM_ID_FIELDS.items()
        ],
        "im_link": link if to_link else "",
        "im_link_label": services.im_id_label(to_link[0]) if to_link else "",
        "im_link_id": to_link[1] if to_link else "",
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def link_im(request: HttpRequest) -> HttpResponse:
    """Confirm the IM account named by the link the desk sent to it."""
    try:
        services.link_im_account(_user(request), request.POST.get("link", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your IM account is linked: messages from it reach the desk."))
    return redirect("accounts:profile")


@login_required
@require_POST
def unlink_im(request: HttpRequest) -> HttpResponse:
    if services.unlink_im_account(_user(request), request.POST.get("provider", "")):
        messages.success(request, _("The IM account is no longer linked."))
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request: HttpRequest) -> HttpResponse:
    if services.revoke_api_token(_user(request)):
        messages.success(request, _("Your API token is revoked."))
    else:
        messages.info(request, _("You have no API token."))
    return redirect("accounts:profile")


@login_required
@require_POST
def log_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the caller (this one too) and revoke their API token."""
    services.log_out_everywhere(_user(request))
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect(settings.LOGIN_URL)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required ran first
        raise TypeError("a signed-in user is required")
    return user
