"""Report parameters from a query string: one reading for the pages, the API and the exports.

``filters_from(params, user)`` turns ``from``, ``to``, ``site``, ``category``, ``priority``,
``channel`` and ``engineer`` into ``Filters``; ``group_by_from(params, allowed, default)``
checks the grouping. A bad value raises ``django.core.exceptions.ValidationError`` keyed by
the parameter's name (the API answers 400 with it, a page shows it beside the control).

- ``from`` / ``to``: ``YYYY-MM-DD``, both days inclusive, in the desk's time zone. Missing
  both: the current month. Missing one: the whole month of the other (``from`` alone runs
  to the end of its month, ``to`` alone from the first of its month). ``from`` ≤ ``to``,
  at most ``MAX_DAYS`` days apart.
- ``site`` (codes), ``category`` (slugs; a parent category takes its sub-categories along),
  ``priority``, ``channel`` (their values), ``engineer`` (usernames): each repeatable
  (``?site=bj&site=sh``) or comma-separated (``?site=bj,sh``); unknown values are refused.
- A viewer limited to some sites (``User.limited_to_sites``) only ever sees those: asking
  for none gives their sites, asking for another site is refused. Tickets without a site
  belong to the staff who work for every site, so a limited viewer never counts them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, Site, User
from reports.engine.types import Filters
from tickets.choices import Channel, Priority
from tickets.models import Category
from tickets.permissions import limited_sites

MAX_DAYS = 732  # two years, leap day included
LIST_NAMES = ("site", "category", "priority", "channel", "engineer")
MAX_VALUES = 100  # values of one list parameter
# Dates a report may name (the desk's midnights around them must stay representable).
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def desk_zone() -> ZoneInfo:
    """The desk's time zone (``settings.TIME_ZONE``): periods and days are counted in it."""
    return ZoneInfo(settings.TIME_ZONE)


def desk_today() -> dt.date:
    """Today in the desk's time zone."""
    return timezone.now().astimezone(desk_zone()).date()


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    """Every value of ``name``: repeated parameters and comma-separated lists, trimmed,
    empty ones dropped, first occurrence order kept."""
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        raw: Iterable[Any] = getlist(name)
    else:
        found = params.get(name)
        if found is None:
            raw = []
        elif isinstance(found, str):
            raw = [found]
        else:
            raw = list(found)
    seen: dict[str, None] = {}
    for item in raw:
        for part in str(item).split(","):
            value = part.strip()
            if value:
                seen.setdefault(value, None)
    if len(seen) > MAX_VALUES:
        raise ValidationError({name: _("At most %(n)d values.") % {"n": MAX_VALUES}})
    return list(seen)


def _single(params: Mapping[str, Any], name: str) -> str:
    values = _values(params, name)
    if len(values) > 1:
        raise ValidationError({name: _("Give one value.")})
    return values[0] if values else ""


def _date(params: Mapping[str, Any], name: str) -> dt.date | None:
    value = _single(params, name)
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")}) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            {
                name: _("Enter a date from %(first)s to %(last)s.")
                % {"first": FIRST_DAY, "last": LAST_DAY}
            }
        )
    return day


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_from(params: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    """``from`` and ``to`` with their defaults (see the module docstring)."""
    start, end = _date(params, "from"), _date(params, "to")
    if start is None:
        end = end or _month_end(desk_today())
        start = end.replace(day=1)
    elif end is None:
        end = _month_end(start)
    if start > end:
        raise ValidationError({"to": _("The end of the period is before its start.")})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError({"to": _("A period is at most two years long.")})
    return start, end


def _known(name: str, asked: Sequence[str], found: Iterable[str]) -> None:
    missing = [value for value in asked if value not in set(found)]
    if missing:
        raise ValidationError(
            {name: _("Unknown value: %(values)s.") % {"values": ", ".join(missing[:5])}}
        )


def _sites(params: Mapping[str, Any], user: AnyUser) -> tuple[int, ...] | None:
    codes = _values(params, "site")
    limit = limited_sites(user)
    if not codes:
        return None if limit is None else tuple(sorted(limit))
    rows = dict(Site.objects.filter(code__in=codes).values_list("code", "pk"))
    _known("site", codes, rows)
    if limit is not None:
        outside = [code for code in codes if rows[code] not in limit]
        if outside:
            raise ValidationError(
                {
                    "site": _("You work only for other sites: %(values)s.")
                    % {"values": ", ".join(outside)}
                }
            )
    return tuple(sorted(rows[code] for code in codes))


def filters_from(params: Mapping[str, Any], user: AnyUser) -> Filters:
    """The ``Filters`` a query string asks for, as ``user`` may see them."""
    start, end = period_from(params)
    categories = _values(params, "category")
    if categories:
        _known(
            "category",
            categories,
            Category.objects.filter(slug__in=categories).values_list("slug", flat=True),
        )
    priorities = _values(params, "priority")
    _known("priority", priorities, Priority.values)
    channels = _values(params, "channel")
    _known("channel", channels, Channel.values)
    engineers = _values(params, "engineer")
    if engineers:
        _known(
            "engineer",
            engineers,
            User.objects.filter(Q(username__in=engineers)).values_list("username", flat=True),
        )
    return Filters(
        start=start,
        end=end,
        sites=_sites(params, user),
        categories=tuple(categories),
        priorities=tuple(priorities),
        channels=tuple(channels),
        engineers=tuple(engineers),
    )


def group_by_from(params: Mapping[str, Any], allowed: Sequence[str], default: str) -> str:
    """The ``group_by`` asked for, one of ``allowed`` (``default`` when not given)."""
    value = _single(params, "group_by") or default
    if value not in allowed:
        raise ValidationError(
            {"group_by": _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}}
        )
    return value
