"""The managers' home (``/reports/``): the desk at a glance, each figure linking to its report.

Compliance this week against last week, the tickets breaching now, the backlog now,
satisfaction this month, the open major incidents; under them the compliance of the last
eight weeks and this month's tickets by category. The report figures are the engine's
(four runs, each one or two statements); the live counts (breaching now, incidents) are the
queue's and the incidents' own lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from incidents import permissions as incident_permissions
from incidents.selectors import open_incidents
from reports import engine
from reports.engine import Filters, params
from reports.views import catalogue, periods
from reports.views.charts import chart
from reports.views.common import query_of, report_reader
from reports.views.tables import format_value, table
from tickets.choices import TicketState
from tickets.selectors import tickets_visible_to

TREND_WEEKS = 8
INCIDENTS_SHOWN = 3
# Being worked (not yet resolved) and late on a clock: what "breaching now" counts.
WORKED = (TicketState.SUBMITTED, TicketState.ACCEPTED, TicketState.DIAGNOSED)


def open_breaches(user: User) -> int:
    """Tickets still being worked whose response or resolution deadline has passed (the
    breach the SLA sweep recorded), among those the reader may see."""
    return (
        tickets_visible_to(user)
        .filter(state__in=WORKED)
        .filter(Q(response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False))
        .count()
    )


def _filters(user: User, start: dt.date, end: dt.date) -> Filters:
    return params.filters_from({"from": start.isoformat(), "to": end.isoformat()}, user)


def _link(name: str, start: dt.date, end: dt.date, **extra: str) -> str:
    query = query_of({"from": start.isoformat(), "to": end.isoformat()}, **extra)
    return f"{reverse(name)}?{query}"


def _compliance(user: User, today: dt.date) -> dict[str, Any]:
    """The last eight weeks by week (one run): this week and last are its last two rows."""
    this_week, last_week = periods.this_week(today), periods.last_week(today)
    first = this_week.start - dt.timedelta(weeks=TREND_WEEKS - 1)
    report = engine.sla_report(_filters(user, first, this_week.end), group_by="week")
    rows = report.rows
    now, before = (rows[-1], rows[-2]) if len(rows) >= 2 else ({}, {})
    return {
        "this_week": now,
        "last_week": before,
        "text": {
            key: format_value(row.get(col), "pct")
            for key, row, col in (
                ("response_now", now, "response_met_pct"),
                ("resolution_now", now, "resolution_met_pct"),
                ("response_before", before, "response_met_pct"),
                ("resolution_before", before, "resolution_met_pct"),
            )
        },
        "link": _link("reports:sla", this_week.start, this_week.end),
        "trend_link": _link("reports:sla", first, this_week.end, group_by="week"),
        "trend": chart(
            "chart-trend",
            _("SLA compliance, last %(weeks)d weeks") % {"weeks": TREND_WEEKS},
            report.columns,
            rows,
            ["response_met_pct", "resolution_met_pct"],
            kind="line",
            small=True,
        ),
        "trend_table": table(
            report,
            ["tickets", "response_met_pct", "resolution_met_pct"],
            label_header=catalogue.GROUP_LABELS["week"],
        ),
        "last_week_link": _link("reports:sla", last_week.start, last_week.end),
    }


def _backlog(user: User, today: dt.date) -> dict[str, Any]:
    report = engine.backlog_report(_filters(user, today, today))
    ageing = report.extra.get("ageing", [])
    return {
        "now": report.extra.get("ageing_total", {}).get("tickets"),
        "oldest": ageing[-1] if ageing else None,
        "link": _link("reports:backlog", *periods.month_of(today)),
    }


def _satisfaction(user: User, today: dt.date) -> dict[str, Any]:
    month = periods.this_month(today)
    total = engine.satisfaction_report(_filters(user, month.start, month.end)).total
    return {
        "total": total,
        "average": format_value(total.get("overall_avg"), "float"),
        "link": _link("reports:satisfaction", month.start, month.end),
    }


def _categories(user: User, today: dt.date) -> dict[str, Any]:
    month = periods.this_month(today)
    report = engine.volume_report(_filters(user, month.start, month.end), group_by="category")
    return {
        "chart": chart(
            "chart-categories",
            _("Tickets by category this month"),
            report.columns,
            report.rows,
            ["tickets"],
            kind="hbar",
            small=True,
        ),
        "table": table(
            report, ["tickets", "share_pct"], label_header=catalogue.GROUP_LABELS["category"]
        ),
        "link": _link("reports:volume", month.start, month.end),
        "is_empty": not report.total.get("tickets"),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = report_reader(request)
    today = periods.desk_today()
    readable = incident_permissions.can_read(user)
    incidents = open_incidents() if readable else None
    compliance = _compliance(user, today)
    categories = _categories(user, today)
    context = {
        "nav": "reports",
        "report_nav": "dashboard",
        "compliance": compliance,
        "breaching": open_breaches(user),
        "backlog": _backlog(user, today),
        "satisfaction": _satisfaction(user, today),
        "categories": categories,
        "incidents": list(incidents[:INCIDENTS_SHOWN]) if incidents is not None else None,
        "incidents_open": incidents.count() if incidents is not None else 0,
        "today": today,
        "charts": [compliance["trend"], categories["chart"]],
    }
    response = render(request, "reports/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
