"""Apply a signed-in user's saved language and their site's time zone to every request."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

if TYPE_CHECKING:
    from accounts.models import AnyUser

_ZONE_TTL_SECONDS = 300
_site_zones: dict[int, tuple[float, str]] = {}


def site_time_zone(site_id: int) -> str:
    """A site's time zone, cached in-process for five minutes (sites rarely move)."""
    # settings name this middleware before the app registry is ready: models load later.
    from accounts.models import Site

    now = time.monotonic()
    hit = _site_zones.get(site_id)
    if hit and now - hit[0] < _ZONE_TTL_SECONDS:
        return hit[1]
    zone = Site.objects.filter(pk=site_id).values_list("time_zone", flat=True).first() or ""
    _site_zones[site_id] = (now, zone)
    return zone


class UserLanguageMiddleware:
    """Runs after authentication: the user's saved language beats the browser's choice, and
    times are shown in the time zone of the user's site (the server default otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: AnyUser | None = getattr(request, "user", None)
        member = user if user is not None and user.is_authenticated else None
        language = member.language if member is not None else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        zone = site_time_zone(member.site_id) if member is not None and member.site_id else ""
        try:
            if zone:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
