"""What the vendors app declares about permissions, and who may do what with vendors and cases.

Declared here, merged by ``accounts.roles`` after every migrate. The app uses Django's
own model permissions of ``Vendor`` (no custom ones, so no migration): ``view_vendor``
lets engineers, tech leads and managers read the vendor list (an engineer picks a vendor
when opening a case); ``add_vendor`` and ``change_vendor`` make tech leads (and admins,
who pass every check) the managers of the list.

Vendor cases belong to a ticket: the engineer handling it and tech leads open, update
and close them (``tickets.permissions.can_handle``); everyone who reads internal notes
reads them; a requester sees only that the ticket waits on a vendor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import capabilities
from accounts.roles import Role
from tickets import permissions as ticket_permissions

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from tickets.models import Ticket

ROLE_GRANTS: dict[str, list[str]] = {
    Role.ENGINEER: ["view_vendor"],
    Role.TECH_LEAD: ["view_vendor", "add_vendor", "change_vendor"],
    Role.MANAGER: ["view_vendor"],
    Role.ADMIN: ["view_vendor", "add_vendor", "change_vendor"],
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "view_vendors": "view_vendor",
    "manage_vendors": "change_vendor",
}


def can_read_vendors(user: AnyUser) -> bool:
    return capabilities(user).view_vendors


def can_manage_vendors(user: AnyUser) -> bool:
    """Create and change vendors: tech leads and admins."""
    caps = capabilities(user)
    return caps.manage_vendors and caps.view_vendors


def can_read_cases(user: AnyUser) -> bool:
    """A case holds the desk's dealings with a supplier: people who read internal notes."""
    return capabilities(user).view_internal


def can_work_cases(ticket: Ticket, user: AnyUser) -> bool:
    """Open, update and close a ticket's vendor cases: its engineer, or a tech lead."""
    return ticket_permissions.can_handle(ticket, user)
