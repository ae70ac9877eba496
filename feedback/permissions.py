"""What the feedback app declares about permissions, and who may do what with a survey.

Declared here, merged by ``accounts.roles`` after every migrate. The app uses Django's own
model permission ``view_survey`` (no custom one, so no migration): tech leads, managers and
admins read every survey (``GET /api/v1/surveys/``); engineers and requesters do not.

One survey belongs to one ticket. Its requester alone answers it and changes her answer
(nobody answers for her: staff, admins included, get 403). Whoever reads every ticket of
the ticket's site (engineers, tech leads, managers, admins) reads it; a follower does not
(the answer is the requester's word to the desk).
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
    Role.TECH_LEAD: ["view_survey"],
    Role.MANAGER: ["view_survey"],
    Role.ADMIN: ["view_survey"],
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {"view_surveys": "view_survey"}


def can_list(user: AnyUser) -> bool:
    """Every survey, with its comment (the list): tech leads, managers, admins."""
    return capabilities(user).view_surveys


def can_answer(ticket: Ticket, user: AnyUser) -> bool:
    """Answer or change the survey of ``ticket``: its requester, nobody else."""
    return ticket_permissions.is_requester_of(ticket, user)


def can_read(ticket: Ticket, user: AnyUser) -> bool:
    """Read the survey of a ticket ``user`` may see: its requester and the desk's staff."""
    return can_answer(ticket, user) or capabilities(user).view_all
