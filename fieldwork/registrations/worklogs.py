"""The work log plugs into the ticket page: the desk's panel in the work column (log work,
the latest entries, the time spent), the requester's live progress under the description
(public entries, refreshed while the ticket is worked on), the service report's table, the
timeline entry and the notification kind."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum, Window

from accounts.models import User
from fieldwork import selectors_worklog as selectors
from fieldwork.models import WorkLog
from fieldwork.services.worklogs import LOGGING_STATES, WorkLogEntry, WorkLogNotice
from fieldwork.templatetags import work_rows
from fieldwork.views.worklogs import WORK_PANEL, WorkLogForm, progress_context
from notifications import kinds as notification_kinds
from tickets import hooks, permissions
from tickets.models import Ticket
from tickets.selectors_prepared import Prepared, Read, register_page_reads
from tickets.templatetags.ticket_tags import write_entries_with
from tickets.views.common import blank_form

# The newest entries shown in the work column; the total counts them all.
WORK_PANEL_ROWS = 50
REPORT_ROWS = 200
EVENT_TEMPLATE = "fieldwork/partials/worklog_event.html"


def _newest(ticket_id: int) -> QuerySet[WorkLog]:
    """The newest entries, newest first, each with the totals of every entry of the ticket
    (window aggregates are computed before the limit): ``worklogs_for`` and
    ``worklog_totals`` for a reader of internal entries, in one query."""
    every = Window(Sum("minutes")), Window(Count("pk"))
    return (
        WorkLog.objects.filter(ticket_id=ticket_id)
        .select_related("author")
        .annotate(total_minutes=every[0], total_entries=every[1])
        .order_by("-performed_at", "-pk")[:WORK_PANEL_ROWS]
    )


# Compiled once per process (``tickets.selectors_prepared``): every work view asks.
_NEWEST = Prepared(_newest, int)


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the desk: the form (engineers, while the ticket is worked on), the newest
    entries and the totals (one query)."""
    if not permissions.can_view_internal(user):
        return None
    entries = _NEWEST.objects(ticket.pk)
    first = entries[0] if entries else None
    return {
        "entries": entries,
        "totals": selectors.Totals(
            minutes=int(getattr(first, "total_minutes", 0) or 0),
            entries=int(getattr(first, "total_entries", 0) or 0),
        ),
        "may_log": permissions.can_work(ticket, user) and ticket.state in LOGGING_STATES,
        "form": blank_form(WorkLogForm),
        "open": False,
    }


def progress_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the requester and followers: the public entries as live progress. The desk has
    the work column instead. Nothing before the ticket is accepted."""
    if permissions.can_view_internal(user):
        return None
    context = progress_context(ticket)
    if not context["entries"] and not context["live"]:
        return None
    return context


def report_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The printed report: the remote sessions granted (who, when, what for, until when)
    and the entries the reader may read with their total (three queries)."""
    entries = list(selectors.worklogs_for(user, ticket)[:REPORT_ROWS])
    grants = list(selectors.consents_on(ticket).filter(granted_at__isnull=False).reverse())
    if not entries and not grants:
        return None
    return {
        "entries": entries,
        "totals": selectors.worklog_totals(user, ticket),
        "grants": grants,
    }


def page_reads(ticket: Ticket, user: User) -> list[Read]:
    """What ``work_panel`` will read on the ticket page (``selectors_prepared.batched``)."""
    return [(_NEWEST, (ticket.pk,))] if permissions.can_view_internal(user) else []


def register() -> None:
    register_page_reads(page_reads)
    write_entries_with(EVENT_TEMPLATE, work_rows.worklog_entry)
    notification_kinds.register(WorkLogNotice)
    hooks.register_entry_kinds(
        WorkLogEntry,
        icon="ti-tool",
        templates={WorkLogEntry.LOGGED: EVENT_TEMPLATE},
    )
    hooks.register_panel(
        hooks.Panel(
            WORK_PANEL, "work", "fieldwork/partials/worklog_work.html", work_panel, order=30
        )
    )
    hooks.register_panel(
        hooks.Panel(
            "worklog_progress",
            "main",
            "fieldwork/partials/worklog_progress.html",
            progress_panel,
            order=10,
        )
    )
    hooks.register_panel(
        hooks.Panel(
            "worklog_report",
            "report",
            "fieldwork/partials/worklog_report.html",
            report_panel,
            order=30,
        )
    )
