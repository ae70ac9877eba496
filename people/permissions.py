"""What the people app declares about permissions, and who may see or change whose skills.

Declared here, merged by ``accounts.roles`` after every migrate. Django's own model
permissions (no custom ones, so no migration):

* ``view_skill`` — the team skills matrix and ``GET /api/v1/engineers/``: tech leads,
  managers (admins pass every check).
* ``change_skill`` and ``change_engineerprofile`` — set an engineer's skills, sites,
  calendar and automatic assignment: tech leads.
* The site assignment modes are the admin's (superusers).

An engineer (a role that works the queue: the tickets app's ``work_queue``) reads their own
skills ("my skills", ``GET /api/v1/engineers/<own username>/``) without any of these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import capabilities
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import AnyUser

_READ = ["view_skill", "view_engineerprofile"]
_EDIT = ["change_skill", "add_skill", "delete_skill", "change_engineerprofile"]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.TECH_LEAD: _READ + _EDIT,
    Role.MANAGER: _READ,
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "view_team": "view_skill",
    "edit_team": "change_skill",
}


def can_view_team(user: AnyUser) -> bool:
    """The matrix and the engineers list: tech leads and managers."""
    return capabilities(user).view_team


def can_edit_team(user: AnyUser) -> bool:
    """Set someone's skills, sites, calendar, automatic assignment: tech leads."""
    caps = capabilities(user)
    return caps.view_team and caps.edit_team


def has_own_skills(user: AnyUser) -> bool:
    """ "My skills": whoever works the queue."""
    return capabilities(user).work_queue


def can_view_engineer(user: AnyUser, username: str) -> bool:
    """One engineer's skills: the team's readers, and the engineer themself."""
    if can_view_team(user):
        return True
    return bool(user.is_authenticated and user.get_username() == username and has_own_skills(user))
