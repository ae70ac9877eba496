"""The weekly and monthly summaries: the headline numbers of a period, to each manager.

Managers are the people who read reports and do not work the queue (the same people who
land on the dashboard). Each gets the numbers of the sites they may see (``filters_from``
with their site limits), in their own language (the e-mail is rendered per recipient),
through the outbox: an in-app row and an e-mail. The cause names the period, so a summary
goes out once per period and person however often the task runs (two beats, a retry).

* weekly: Monday morning, the week before (Monday to Sunday, the desk's days);
* monthly: last month, on this month's first working day by the desk's calendar — or the
  first run after it, should beat have been down that morning.

The numbers are the engine's; nothing is computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications import outbox
from reports import engine
from reports.engine import Filters, params
from reports.permissions import CAPABILITIES as REPORT_CAPABILITIES
from reports.review.periods import first_working_day
from reports.summary.kinds import SummaryNotice
from reports.views.periods import desk_today, month_of, week_of
from tickets.permissions import CAPABILITIES as TICKET_CAPABILITIES

BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class SummaryPeriod:
    kind: str
    code: str  # "2026-W47" / "2026-11": the summary's number, and its dedupe cause
    start: dt.date
    end: dt.date


def previous_week(today: dt.date) -> SummaryPeriod:
    start, end = week_of(today - dt.timedelta(days=7))
    year, week, _day = start.isocalendar()
    return SummaryPeriod(SummaryNotice.WEEKLY, f"{year}-W{week:02d}", start, end)


def previous_month(today: dt.date) -> SummaryPeriod:
    start, end = month_of(today.replace(day=1) - dt.timedelta(days=1))
    return SummaryPeriod(SummaryNotice.MONTHLY, start.strftime("%Y-%m"), start, end)


def managers() -> QuerySet[User]:
    """Active people who read reports and do not work the queue (no superusers: they
    work everything and land on the queue)."""
    reads = f"reports.{REPORT_CAPABILITIES['view_reports']}"
    works = f"tickets.{TICKET_CAPABILITIES['work_queue']}"
    workers = User.objects.with_perm(works, include_superusers=False, backend=BACKEND)
    return (
        User.objects.with_perm(reads, include_superusers=False, backend=BACKEND)
        .filter(is_active=True, is_superuser=False)
        .exclude(pk__in=workers.values("pk"))
        .order_by("pk")
    )


SLA_FIGURES = (
    "tickets",
    "response_met_pct",
    "resolution_met_pct",
    "response_breached",
    "resolution_breached",
    "response_pending",
    "resolution_pending",
)


def headline(filters: Filters) -> dict[str, Any]:
    """The numbers a summary carries, straight from the engine's totals: compliance, the
    backlog at the period's end, satisfaction."""
    sla = engine.sla_report(filters, group_by="priority").total
    backlog = engine.backlog_report(filters).total
    surveys = engine.satisfaction_report(filters, group_by="month").total
    return {
        **{key: sla.get(key) for key in SLA_FIGURES},
        "open_at_end": backlog.get("open"),
        "surveys_answered": surveys.get("answered"),
        "rating_avg": surveys.get("overall_avg"),
    }


def report_link(period: SummaryPeriod) -> str:
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return f"{reverse('reports:sla')}?{query}"


def send(period: SummaryPeriod, people: Iterable[User], *, now: dt.datetime) -> int:
    """One summary of ``period`` to each of ``people`` (in the app and by e-mail), in one
    transaction; a person who already had it is skipped by the outbox. How many people."""
    query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    by_scope: dict[Filters, dict[str, Any]] = {}
    rows: list[outbox.Outgoing] = []
    told = 0
    for person in people:
        # Each person's own sites (a manager limited to some sites hears of those only);
        # people who see the same sites share one run of the engine.
        filters = params.filters_from(query, person)
        if filters not in by_scope:
            by_scope[filters] = headline(filters)
        rows += outbox.build(
            recipients=[person],
            kind=period.kind,
            cause=f"{period.kind}:{period.code}",
            now=now,
            link=report_link(period),
            payload={
                "number": period.code,
                "title": f"{period.start.isoformat()} – {period.end.isoformat()}",
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                **by_scope[filters],
            },
        )
        told += 1
    with transaction.atomic():
        outbox.save_and_dispatch(rows)
    return told


def send_weekly(now: dt.datetime | None = None) -> int:
    """Last week's summary (the beat runs it on Monday morning)."""
    now = now or timezone.now()
    return send(previous_week(desk_today(now)), managers(), now=now)


def send_monthly(now: dt.datetime | None = None) -> int:
    """Last month's summary, from this month's first working day on; 0 before it."""
    now = now or timezone.now()
    today = desk_today(now)
    if today < first_working_day(today):
        return 0
    return send(previous_month(today), managers(), now=now)
