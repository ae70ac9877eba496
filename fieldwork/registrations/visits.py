"""On-site visits and the ticket's device plug into the ticket page: the engineer's panel
in the work column (the device with its recent maintenance, every visit, and the forms to
schedule, move, cancel and record one), the requester's panel (confirm the time or
propose another), the service report's list of visits, the timeline entries, the
notification kinds, the maintenance record written on resolution, and the device page's
list of tickets (``assets.hooks``, which cannot read tickets itself)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.permissions import capabilities
from assets import hooks as asset_hooks
from assets import selectors as asset_selectors
from fieldwork import selectors_visits as selectors
from fieldwork.choices import VisitState
from fieldwork.services import maintenance
from fieldwork.services.devices import DeviceEntry
from fieldwork.services.maintenance import MaintenanceEntry
from fieldwork.services.visits import OPEN_VISIT_STATES, VisitEntry, VisitNotice
from fieldwork.templatetags.work_rows import visit_entry
from fieldwork.views.visits import (
    REQUESTER_PANEL,
    WORK_PANEL,
    CancelVisitForm,
    CompleteForm,
    DeviceForm,
    ProposeForm,
    RescheduleForm,
    ScheduleForm,
)
from notifications import kinds as notification_kinds
from tickets import hooks, permissions
from tickets.choices import WORK_STATES, TicketState
from tickets.models import Ticket
from tickets.selectors_prepared import Prepared, Read, register_page_reads
from tickets.templatetags.ticket_tags import write_entries_with
from tickets.views.common import blank_form

REPORT_PANEL = "visits_report"
# The requester's devices offered as tags when an engineer sets the ticket's device.
OWN_DEVICES = 50
EVENT_TEMPLATE = "fieldwork/visit_event.html"


# The panel's reads, compiled once per process (``tickets.selectors_prepared``): the ticket's
# visits (``selectors.visits_on``) and the requester's devices (``assets.selectors.owned_by``).
_VISITS = Prepared(lambda ticket_id: selectors.visits_on(Ticket(pk=ticket_id)), int)
_OWN_DEVICES = Prepared(
    lambda owner_id: asset_selectors.owned_by(User(pk=owner_id))[:OWN_DEVICES], int
)


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the desk: the device and its latest maintenance, every visit, and the forms of
    whoever may use them. Three queries at most (visits, history, the requester's devices)
    whatever the ticket's history; the ticket's device came with the ticket."""
    caps = capabilities(user)
    if not caps.view_all:
        return None
    may_handle = permissions.can_handle(ticket, user)
    worked = ticket.state in WORK_STATES
    rows = []
    for visit in _VISITS.objects(ticket.pk):
        is_open = visit.state in OPEN_VISIT_STATES
        mine = visit.engineer_id == user.pk and caps.work_queue
        may = is_open and (may_handle or mine)
        rows.append(
            {
                "visit": visit,
                "is_open": is_open,
                "may_work": may and worked,
                "may_cancel": may,
                "complete_form": (
                    blank_form(CompleteForm, visit_id=visit.pk) if may and worked else None
                ),
                "reschedule_form": (
                    blank_form(RescheduleForm, visit_id=visit.pk) if may and worked else None
                ),
                "cancel_form": blank_form(CancelVisitForm, visit_id=visit.pk) if may else None,
                "open": "",
            }
        )
    asset = ticket.asset if ticket.asset_id else None
    may_change_device = permissions.can_work(ticket, user) and ticket.state != TicketState.CLOSED
    return {
        "rows": rows,
        "asset": asset,
        "history": (
            asset_selectors.maintenance_for(asset.pk, limit=asset_selectors.RECENT_MAINTENANCE)
            if asset
            else []
        ),
        "today": timezone.localdate(),
        "schedule_form": blank_form(ScheduleForm) if may_handle and worked else None,
        "device_form": (
            blank_form(DeviceForm, initial={"asset": asset.tag if asset else ""})
            if may_change_device
            else None
        ),
        "own_devices": _OWN_DEVICES.objects(ticket.requester_id) if may_change_device else [],
        "worked": worked,
        "open": "",
    }


def requester_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """For the ticket's requester: the visits still to come, each with what is expected
    of them (confirm, or propose another time); nothing when there is none. One query."""
    if not permissions.is_requester_of(ticket, user):
        return None
    coming = list(selectors.visits_on(ticket).filter(state__in=OPEN_VISIT_STATES))
    if not coming:
        return None
    may_answer = ticket.state in WORK_STATES
    return {
        "rows": [
            {
                "visit": visit,
                "propose_form": (
                    blank_form(ProposeForm, visit_id=visit.pk) if may_answer else None
                ),
                "open": "",
            }
            for visit in coming
        ],
        "may_answer": may_answer,
        "open": "",
    }


def report_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    """The printed service report: the visits done (one query)."""
    done = list(selectors.visits_on(ticket).filter(state=VisitState.COMPLETED))
    return {"visits": done} if done else None


def page_reads(ticket: Ticket, user: User) -> list[Read]:
    """What ``work_panel`` will read on the ticket page (``selectors_prepared.batched``)."""
    if not capabilities(user).view_all:
        return []
    reads: list[Read] = [(_VISITS, (ticket.pk,))]
    if permissions.can_work(ticket, user) and ticket.state != TicketState.CLOSED:
        reads.append((_OWN_DEVICES, (ticket.requester_id,)))
    return reads


def _visit_entry(event: Any) -> str:
    """What ``visit_event.html`` renders: the tag's markup and the file's line end."""
    return visit_entry(event) + "\n"


def register() -> None:
    register_page_reads(page_reads)
    write_entries_with(EVENT_TEMPLATE, _visit_entry)
    notification_kinds.register(VisitNotice)
    templates = dict.fromkeys(VisitEntry.values, EVENT_TEMPLATE)
    hooks.register_entry_kinds(VisitEntry, icon="ti-truck", templates=templates)
    hooks.register_entry_kinds(
        DeviceEntry, icon="ti-device-laptop", templates={DeviceEntry.CHANGED: EVENT_TEMPLATE}
    )
    hooks.register_entry_kinds(
        MaintenanceEntry, icon="ti-tool", templates={MaintenanceEntry.RECORDED: EVENT_TEMPLATE}
    )
    hooks.register_panel(
        hooks.Panel(
            REQUESTER_PANEL, "requester", "fieldwork/visit_requester.html", requester_panel, 15
        )
    )
    hooks.register_panel(
        hooks.Panel(WORK_PANEL, "work", "fieldwork/visit_panel.html", work_panel, order=40)
    )
    hooks.register_panel(
        hooks.Panel(REPORT_PANEL, "report", "fieldwork/visit_report.html", report_panel, 40)
    )
    hooks.resolved.connect(maintenance.on_resolved, dispatch_uid="fieldwork.visits.maintenance")
    asset_hooks.register_tickets_of(selectors.tickets_of_asset)
