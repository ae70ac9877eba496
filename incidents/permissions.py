"""What the incidents app declares about permissions, and who may do what with a major incident.

Declared here, merged by ``accounts.roles`` after every migrate. The app uses Django's own
model permissions (no custom ones, so no migration):

* ``view_majorincident`` — reads incidents (the list, the live page, the API): engineers,
  tech leads, managers, admins. A requester is refused (403) and hears about an incident
  only through the notices about their own tickets.
* ``add_majorincident`` and ``change_majorincident`` — declares and works incidents:
  engineers and tech leads (admins pass every check).
* ``view_incidentreport`` — receives the 30-minute management reports: managers. Only a
  recipient list (``notify.managers``) asks for it, through the role groups like the
  ticket queue's engineers, so an admin is no report recipient by being a superuser.

Object-level rules: the commander is a tech lead. The commander and any tech lead steer
the incident (members, status notes, restoration, details); an engineer on the task force
writes status notes too; any engineer joins the task force as an engineer and links
tickets (one click from the queue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import capabilities
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from incidents.models import MajorIncident

_WORKER = ["view_majorincident", "add_majorincident", "change_majorincident"]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.ENGINEER: _WORKER,
    Role.TECH_LEAD: _WORKER,
    Role.MANAGER: ["view_majorincident", "view_incidentreport"],
    Role.ADMIN: _WORKER,
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "view_incidents": "view_majorincident",
    "work_incidents": "change_majorincident",
}

# The role groups' permission that makes someone a recipient of the management reports.
REPORT_RECIPIENT_PERMISSION = "view_incidentreport"


def can_read(user: AnyUser) -> bool:
    """The list, the live page, the reports: the desk and management."""
    return capabilities(user).view_incidents


def can_work(user: AnyUser) -> bool:
    """Declare, join as an engineer, link tickets: engineers and tech leads."""
    caps = capabilities(user)
    return caps.view_incidents and caps.work_incidents


def can_declare(user: AnyUser) -> bool:
    return can_work(user)


def can_command(user: AnyUser) -> bool:
    """Who may be the commander: a tech lead who works incidents."""
    return can_work(user) and capabilities(user).lead


def is_commander(incident: MajorIncident, user: AnyUser) -> bool:
    return bool(user.is_authenticated and incident.commander_id == user.pk)


def can_steer(incident: MajorIncident, user: AnyUser) -> bool:
    """Members, the commander, the incident's details: its commander or any tech lead."""
    return can_work(user) and (is_commander(incident, user) or capabilities(user).lead)


def can_post_status(incident: MajorIncident, user: AnyUser, *, is_member: bool) -> bool:
    """Status notes and the restoration: whoever steers it, and the task force's engineers."""
    return can_steer(incident, user) or (can_work(user) and is_member)


def can_link(user: AnyUser) -> bool:
    return can_work(user)
