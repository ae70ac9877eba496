"""Times in a notification, shown to its reader: their site's zone, formatted for people.

Features put times into a payload as ISO strings (JSON has no datetime); the e-mail
shows every ``…_at`` value that is one as "2026-11-26 04:30 (Asia/Shanghai)", like
the pages' ``Y-m-d H:i`` plus the zone's name, since a mail has no page to say it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.middleware import site_time_zone

if TYPE_CHECKING:
    from accounts.models import User

TIME_FORMAT = "Y-m-d H:i"


def reader_zone(user: User) -> zoneinfo.ZoneInfo:
    """The zone the pages show this person: their site's, else the server default."""
    name = site_time_zone(user.site_id) if user.site_id else ""
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo(str(timezone.get_default_timezone()))


def parse_iso(value: Any) -> dt.datetime | None:
    """An aware datetime from an ISO string with a time of day (naive: the server's zone)."""
    if not isinstance(value, str) or len(value) < 16:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def local_text(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """Like "2026-11-26 04:30 (Asia/Shanghai)", in the active language's punctuation."""
    shown = dateformat.format(timezone.localtime(value, zone), TIME_FORMAT)
    return _("%(time)s (%(zone)s)") % {"time": shown, "zone": zone.key}


def readable_payload(payload: dict[str, Any], zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """The payload with each ``…_at`` ISO time replaced by its local, readable text."""
    shown = dict(payload)
    for key, value in payload.items():
        if key.endswith("_at") and (moment := parse_iso(value)) is not None:
            shown[key] = local_text(moment, zone)
    return shown
