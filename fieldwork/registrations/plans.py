"""The plan plugs into the ticket page: the engineer's card under "Next step" (beside the
diagnosis it completes), the requester's card with the window to confirm, the service
report's rows, the timeline entries and the notification kinds."""

from __future__ import annotations

from fieldwork.services.plans import PlanEntry, PlanNotice
from fieldwork.templatetags import work_rows
from fieldwork.views import plans as views
from notifications import kinds as notification_kinds
from tickets import hooks
from tickets.selectors_prepared import register_page_reads
from tickets.templatetags.ticket_tags import write_entries_with

WORK_PANEL = "plan_work"
REQUESTER_PANEL = "plan_requester"
REPORT_PANEL = "plan_report"
EVENT_TEMPLATE = "fieldwork/partials/plan_event.html"


def register() -> None:
    register_page_reads(views.page_reads)
    write_entries_with(EVENT_TEMPLATE, work_rows.plan_entry)
    notification_kinds.register(PlanNotice)
    hooks.register_entry_kinds(
        PlanEntry,
        icon="ti-route",
        templates=dict.fromkeys(PlanEntry.values, EVENT_TEMPLATE),
    )
    hooks.register_panel(
        hooks.Panel(
            WORK_PANEL, "work", "fieldwork/partials/plan_work.html", views.work_panel, order=5
        )
    )
    hooks.register_panel(
        hooks.Panel(
            REQUESTER_PANEL,
            "requester",
            "fieldwork/partials/plan_requester.html",
            views.requester_panel,
            order=15,
        )
    )
    hooks.register_panel(
        hooks.Panel(
            REPORT_PANEL,
            "report",
            "fieldwork/partials/plan_report.html",
            views.report_panel,
            order=10,
        )
    )
