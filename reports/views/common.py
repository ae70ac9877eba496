"""What every report page shares: who may read it, the filter bar, the links it offers.

Managers and tech leads read reports (the ``view_reports`` capability); anyone else signed
in gets 403, anonymous people the login page. The GET parameters are the API's, so a
page's address, its exports and the API answer the same question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import capabilities
from reports.forms import QUERY_NAMES
from reports.views import periods
from tickets.views.common import signed_in_user


def report_reader(request: HttpRequest) -> User:
    """The signed-in reader, or 403 for someone who may not read reports."""
    user = signed_in_user(request)
    if not capabilities(user).view_reports:
        raise PermissionDenied(_("Reports are for managers and tech leads."))
    return user


def query_of(data: QueryDict | dict[str, Any], **changes: str | None) -> str:
    """The report's parameters (only the API's names, no empty values) with ``changes``
    (``None`` drops a name), URL-encoded in a fixed order."""
    pairs: list[tuple[str, str]] = []
    getter = getattr(data, "getlist", None)
    for name in QUERY_NAMES:
        values: list[Any]
        if name in changes:
            value = changes[name]
            values = [] if value is None else [value]
        else:
            values = getter(name) if getter else [data.get(name)]
        pairs.extend((name, str(v)) for v in values if v not in (None, ""))
    pairs.extend((k, v) for k, v in changes.items() if k not in QUERY_NAMES and v is not None)
    return urlencode(pairs)


@dataclass(frozen=True)
class QuickPick:
    key: str
    label: str | Promise
    query: str
    current: bool


def quick_picks(data: QueryDict, shown: tuple[dt.date, dt.date] | None) -> list[QuickPick]:
    """This week, last week, this month, last month, the other filters kept; the one
    ``shown`` (the period the page shows) is marked current."""
    return [
        QuickPick(
            key=p.key,
            label=p.label,
            query=query_of(data, **{"from": p.start.isoformat(), "to": p.end.isoformat()}),
            current=shown == (p.start, p.end),
        )
        for p in periods.quick_periods()
    ]


@dataclass(frozen=True)
class Export:
    format: str
    label: str | Promise
    icon: str
    url: str


def exports(name: str, data: QueryDict) -> list[Export]:
    """CSV and XLSX of the same report with the same filters, from the API
    (``/api/v1/reports/<name>/``, URL name ``reports-<name>``)."""
    path = reverse(f"reports-{name}")
    return [
        Export(
            "csv", gettext_lazy("CSV"), "ti-file-type-csv", f"{path}?{query_of(data, format='csv')}"
        ),
        Export(
            "xlsx",
            gettext_lazy("Excel"),
            "ti-file-spreadsheet",
            f"{path}?{query_of(data, format='xlsx')}",
        ),
    ]
