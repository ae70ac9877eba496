"""How the vendors app plugs into the layers below it, once, from ``VendorsConfig.ready``.

* ``accounts.roles``: who reads and manages the vendor list (``vendors.permissions``);
* ``notifications.kinds``: the cadence's reminders and the requester's notice;
* ``sla.obligations``: the 2-hour update cadence (``vendors.obligations.CaseCadence``);
* ``tickets.hooks``: the ticket page's panels, the timeline's entries, the resolve guard
  (no fix while a vendor case is open) and the ``public_update`` receiver (a public
  update from staff restarts the cadence).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts import roles
from notifications import kinds
from sla import obligations
from tickets import hooks
from tickets.models import Ticket
from tickets.selectors_prepared import register_page_reads
from tickets.templatetags.ticket_tags import write_entries_with
from vendors import panels
from vendors.choices import CaseEntry, CaseStatus, ReminderKind, VendorNotice
from vendors.models import VendorCase
from vendors.obligations import CaseCadence
from vendors.permissions import CAPABILITIES, ROLE_GRANTS
from vendors.services import note_public_update
from vendors.templatetags.vendor_rows import vendor_entry

ENTRY_TEMPLATE = "vendors/partials/timeline_entry.html"


def no_fix_while_a_vendor_case_is_open(ticket: Ticket) -> str | None:
    """A fix is proposed once the vendor's part is done: close the case first (with its
    outcome), which also ends the hold on the resolution clock."""
    if VendorCase.objects.filter(ticket_id=ticket.pk, status=CaseStatus.OPEN).exists():
        return _("A vendor case is still open: close it (with its outcome) before resolving.")
    return None


def _on_public_update(sender: Any, *, ticket: Ticket, at: Any, **kwargs: Any) -> None:
    note_public_update(ticket, at)


def register() -> None:
    roles.declare("vendors", ROLE_GRANTS, CAPABILITIES)
    kinds.register(ReminderKind)
    kinds.register(VendorNotice)
    obligations.register(CaseCadence())
    register_page_reads(panels.page_reads)
    write_entries_with(ENTRY_TEMPLATE, vendor_entry)
    hooks.register_panel(
        hooks.Panel(
            panels.PANEL, "work", "vendors/partials/cases_panel.html", panels.work_panel, 50
        )
    )
    hooks.register_panel(
        hooks.Panel(
            panels.NOTE, "main", "vendors/partials/waiting_note.html", panels.waiting_note, 50
        )
    )
    hooks.register_entry_kinds(
        CaseEntry,
        icon="ti-building-factory-2",
        templates=dict.fromkeys(CaseEntry.values, ENTRY_TEMPLATE),
    )
    hooks.register_resolve_guard(no_fix_while_a_vendor_case_is_open)
    hooks.public_update.connect(
        _on_public_update, sender=Ticket, dispatch_uid="vendors.public_update"
    )
