"""Functional checks plug into the ticket page and the lifecycle: the engineer's checklist
under "Next step" (the resolve form it guards), the requester's list while they are asked
to verify, the service report's rows, the timeline entries, and the resolve guard that
refuses a fix with a failed or unrecorded check."""

from __future__ import annotations

from fieldwork.services.checks import CheckEntry, refusal
from fieldwork.templatetags import work_rows
from fieldwork.views import checks as views
from tickets import hooks
from tickets.selectors_prepared import register_page_reads
from tickets.templatetags.ticket_tags import write_entries_with

WORK_PANEL = views.WORK_PANEL
REQUESTER_PANEL = "checks_requester"
REPORT_PANEL = "checks_report"
EVENT_TEMPLATE = "fieldwork/partials/check_event.html"


def register() -> None:
    register_page_reads(views.page_reads)
    write_entries_with(EVENT_TEMPLATE, work_rows.check_entry)
    hooks.register_resolve_guard(refusal)
    hooks.register_entry_kinds(
        CheckEntry,
        icon="ti-checklist",
        templates=dict.fromkeys(CheckEntry.values, EVENT_TEMPLATE),
    )
    hooks.register_panel(
        hooks.Panel(
            WORK_PANEL, "work", "fieldwork/partials/check_work.html", views.work_panel, order=6
        )
    )
    hooks.register_panel(
        hooks.Panel(
            REQUESTER_PANEL,
            "requester",
            "fieldwork/partials/check_requester.html",
            views.requester_panel,
            order=1,
        )
    )
    hooks.register_panel(
        hooks.Panel(
            REPORT_PANEL,
            "report",
            "fieldwork/partials/check_report.html",
            views.report_panel,
            order=20,
        )
    )
