"""The IM connections page (admins): per provider, whether the desk can receive and send,
its settings masked (``channels.secrets``), the intake URL to paste into the provider's
console, how many people linked an account on it and when it last sent a message.

Read-only: the settings come from the server's environment, which always wins; the page
says so instead of offering a form. Three queries whatever the number of people or
messages: the session's user, the linked counts, the latest message per provider.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.services import IM_ID_FIELDS
from channels.choices import Provider
from channels.models import InboundMessage
from channels.secrets import Secret, secrets_of


@dataclass(frozen=True)
class Connection:
    provider: str
    label: str
    intake_url: str
    secrets: list[Secret]
    linked: int
    last_message_at: dt.datetime | None
    sending: bool

    @property
    def receiving(self) -> bool:
        """Every setting the intake needs is set and usable (else it refuses every call)."""
        return all(s.is_set and not s.problem for s in self.secrets if s.receiving)


def connections() -> list[Connection]:
    linked = User.objects.filter(is_active=True).aggregate(
        **{
            provider: Count("pk", filter=~Q(**{field: ""}))
            for provider, field in IM_ID_FIELDS.items()
        }
    )
    latest = dict(
        InboundMessage.objects.values_list("provider").annotate(last=Max("received_at")).order_by()
    )
    site = settings.SITE_URL.rstrip("/")
    return [
        Connection(
            provider=provider.value,
            label=str(provider.label),
            intake_url=site + reverse("channels-api:intake", kwargs={"provider": provider.value}),
            secrets=secrets_of(provider.value),
            linked=linked[provider.value],
            last_message_at=latest.get(provider.value),
            sending=importlib.import_module(f"channels.{provider.value}.transport").is_configured(),
        )
        for provider in Provider
    ]


@login_required
@require_GET
def connections_page(request: HttpRequest) -> HttpResponse:
    """Admins only: those who may change people's accounts (and so link their IM ids)."""
    if not request.user.has_perm("accounts.change_user"):
        raise PermissionDenied
    context = {"nav": "im_connections", "connections": connections()}
    return render(request, "channels/connections.html", context)
