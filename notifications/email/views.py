"""The one-click unsubscribe page: ``/notifications/unsubscribe/<token>/``.

Without login: the signed token (``unsubscribe``) is the only proof, and a wrong one is a
404 like any unknown page. A ``POST`` turns the kind's e-mail off: the mail provider's one
click (RFC 8058, body ``List-Unsubscribe=One-Click``, no cookies, hence no CSRF token) or
the page's button; ``action=on`` turns it back on. A ``GET`` changes nothing (link
checkers and mail scanners open links): it asks first. The page speaks the person's
language and points to their notification settings for everything else.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import kinds, preferences
from notifications.choices import NotificationChannel
from notifications.email import unsubscribe
from notifications.models import Preference


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, unsubscribe_token: str) -> HttpResponse:
    subscription = unsubscribe.read(unsubscribe_token)
    if subscription is None:
        raise Http404
    changed = ""
    if request.method == "POST":
        on = request.POST.get("action") == "on"
        preferences.set_choice(
            subscription.user, subscription.kind, NotificationChannel.EMAIL, enabled=on
        )
        changed = "on" if on else "off"
    with translation.override(subscription.user.language or settings.LANGUAGE_CODE):
        return render(
            request,
            "notifications/unsubscribe.html",
            {
                "label": kinds.label(subscription.kind),
                "on": _gets_it(subscription),
                "changed": changed,
            },
        )


def _gets_it(subscription: unsubscribe.Subscription) -> bool:
    """Whether the person gets this kind by e-mail now (their choice, else the default)."""
    user, kind, channel = subscription.user, subscription.kind, NotificationChannel.EMAIL
    stored = (
        Preference.objects.filter(user=user, kind=kind, channel=channel)
        .values_list("enabled", flat=True)
        .first()
    )
    if stored is not None:
        return stored
    staff = preferences.is_staff_role(user)
    return preferences.default_enabled(staff=staff, kind=kind, channel=channel)
