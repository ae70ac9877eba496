"""What the tickets app declares about permissions, and who may do what to a ticket.

Declared here, merged by ``accounts.roles`` after every migrate: the
permissions the app owns (``TICKET_PERMISSIONS``, on ``Ticket.Meta``), what
each role is granted of them (``ROLE_GRANTS``) and the capability names the
pages and services ask for (``CAPABILITIES``).

Then every object-level rule: selectors use ``can_view`` semantics to scope
querysets; the FSM transitions name these predicates as their
``permission=``; ``tickets.actions`` asks them (and the FSM) which actions a
user may take now, for the pages, the API and the services alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from accounts.models import User
from accounts.permissions import capabilities
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from tickets.models import Ticket

TICKET_PERMISSIONS = [
    ("work_ticket", "Can work the queue (accept, diagnose, resolve)"),
    ("view_all_tickets", "Can see every ticket"),
    ("view_internal", "Can read internal notes"),
    ("log_call", "Can file tickets for callers"),
    ("assign_ticket", "Can assign tickets to others"),
    ("lead_ticket", "Can act on any ticket as tech lead"),
    # The last rung of the escalation ladder (tickets/escalation.py): managers.
    ("receive_escalations", "Is told when a high-priority ticket stays unaccepted"),
]

_ENGINEER = ["add_ticket", "work_ticket", "view_all_tickets", "view_internal", "log_call"]
_LEAD = [*_ENGINEER, "assign_ticket", "lead_ticket"]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.REQUESTER: ["add_ticket"],
    Role.ENGINEER: _ENGINEER,
    Role.TECH_LEAD: _LEAD,
    Role.MANAGER: ["view_all_tickets", "view_internal", "receive_escalations"],
    # Admins are superusers and pass every check; the role itself does not put them in the
    # queue (assignees, SLA alerts): only the engineer or tech lead role does.
    Role.ADMIN: ["view_all_tickets", "view_internal"],
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "file_ticket": "add_ticket",
    "work_queue": "work_ticket",
    "view_all": "view_all_tickets",
    "view_internal": "view_internal",
    "log_call": "log_call",
    "assign": "assign_ticket",
    "lead": "lead_ticket",
}


def limited_sites(user: AnyUser) -> frozenset[int] | None:
    """The sites a member of staff works for (R7.2), or ``None`` for every site.

    ``User.limited_to_sites`` left empty means every site; superusers are never limited.
    One query per user object, kept on it like Django's permission cache: a page asks for
    every row of a list.
    """
    if not user.is_authenticated or user.is_superuser:
        return None
    cached = getattr(user, "_limited_sites_cache", False)
    if cached is not False:
        return cast("frozenset[int] | None", cached)
    through = User.limited_to_sites.through
    ids = frozenset(through.objects.filter(user_id=user.pk).values_list("site_id", flat=True))
    found = ids or None
    user._limited_sites_cache = found  # type: ignore[attr-defined]
    return found


def serves_site(user: AnyUser, site_id: int | None) -> bool:
    """Whether ``user``'s site limits let them see a ticket of ``site_id``. A ticket filed
    without a site is for the staff who work for every site."""
    sites = limited_sites(user)
    return sites is None or site_id in sites


def is_requester_of(ticket: Ticket, user: AnyUser) -> bool:
    return bool(user.is_authenticated and ticket.requester_id == user.pk)


def is_watcher_of(ticket: Ticket, user: AnyUser) -> bool:
    """A follower (CC) of the ticket: one query, asked only when nothing cheaper decided."""
    return bool(user.is_authenticated and ticket.watchers.filter(user_id=user.pk).exists())


def can_view(ticket: Ticket, user: AnyUser) -> bool:
    """Staff who read every ticket (of the sites they work for, when limited to some); the
    requester; a follower (its public side, like the requester: internal rows go by
    ``can_view_internal``, never by following). Staff limited to some sites do not see
    another site's ticket by following it: their notes would show."""
    if capabilities(user).view_all:
        return serves_site(user, ticket.site_id) or is_requester_of(ticket, user)
    return is_requester_of(ticket, user) or is_watcher_of(ticket, user)


def can_view_internal(user: AnyUser) -> bool:
    return capabilities(user).view_internal


def can_work(ticket: Ticket, user: AnyUser) -> bool:
    """Engineers and tech leads work tickets; accept is open to every engineer."""
    return capabilities(user).work_queue


def can_handle(ticket: Ticket, user: AnyUser) -> bool:
    """The assignee, or a tech lead, moves an accepted ticket along."""
    caps = capabilities(user)
    if not caps.work_queue:
        return False
    return caps.lead or ticket.assignee_id == user.pk


def can_verify(ticket: Ticket, user: AnyUser) -> bool:
    """The requester, or an engineer recording the requester's confirmation (with a note)."""
    return is_requester_of(ticket, user) or can_handle(ticket, user)


def can_reject_fix(ticket: Ticket, user: AnyUser) -> bool:
    return is_requester_of(ticket, user)


def can_cancel(ticket: Ticket, user: AnyUser) -> bool:
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_close(ticket: Ticket, user: AnyUser) -> bool:
    return can_work(ticket, user)


def can_reopen(ticket: Ticket, user: AnyUser) -> bool:
    """The requester (their own fix did not last), or a tech lead on their behalf."""
    return is_requester_of(ticket, user) or capabilities(user).lead


def can_reply(ticket: Ticket, user: AnyUser) -> bool:
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_edit_details(ticket: Ticket, user: AnyUser) -> bool:
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_change_priority(ticket: Ticket, user: AnyUser) -> bool:
    return can_work(ticket, user)


def can_assign(ticket: Ticket, user: AnyUser) -> bool:
    return capabilities(user).assign


def can_file_for_others(user: AnyUser) -> bool:
    return capabilities(user).log_call


# --- followers (CC) and canned replies ---------------------------------------------


def can_add_watchers(ticket: Ticket, user: AnyUser) -> bool:
    """The requester adds colleagues; engineers and tech leads add anyone (themselves too)."""
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_follow(ticket: Ticket, user: AnyUser) -> bool:
    """Who may add themselves: whoever may add others, and staff who read every ticket (a
    manager keeping an eye on one). The requester hears about their ticket anyway."""
    if is_requester_of(ticket, user):
        return False
    return capabilities(user).view_all or can_add_watchers(ticket, user)


def can_remove_watcher(ticket: Ticket, user: AnyUser, watcher_id: int | None) -> bool:
    """The requester and engineers remove any follower; a follower removes themself."""
    if user.is_authenticated and watcher_id == user.pk:
        return True
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_use_canned_replies(user: AnyUser) -> bool:
    """Canned replies are for people who answer tickets: engineers and tech leads."""
    return capabilities(user).work_queue


def can_share_canned_replies(user: AnyUser) -> bool:
    """Shared canned replies speak for the whole desk: tech leads write them."""
    return capabilities(user).work_queue and capabilities(user).lead
