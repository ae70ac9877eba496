"""Who may do what to a ticket: every object-level rule, in one place.

Selectors use ``can_view`` semantics to scope querysets; services call these
predicates again under the row lock; the FSM transitions name them as their
``permission=``, so templates that offer buttons and the server that accepts
them ask the same question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.permissions import capabilities

if TYPE_CHECKING:
    from tickets.models import Ticket


def is_requester_of(ticket: Ticket, user: Any) -> bool:
    return bool(user.is_authenticated and ticket.requester_id == user.pk)


def can_view(ticket: Ticket, user: Any) -> bool:
    return capabilities(user).view_all or is_requester_of(ticket, user)


def can_view_internal(user: Any) -> bool:
    return capabilities(user).view_internal


def can_work(ticket: Ticket, user: Any) -> bool:
    """Engineers and tech leads work tickets; accept is open to every engineer."""
    return capabilities(user).work_queue


def can_handle(ticket: Ticket, user: Any) -> bool:
    """The assignee, or a tech lead, moves an accepted ticket along."""
    caps = capabilities(user)
    if not caps.work_queue:
        return False
    return caps.lead or ticket.assignee_id == user.pk


def can_verify(ticket: Ticket, user: Any) -> bool:
    """The requester, or an engineer recording the requester's confirmation (with a note)."""
    return is_requester_of(ticket, user) or can_handle(ticket, user)


def can_reject_fix(ticket: Ticket, user: Any) -> bool:
    return is_requester_of(ticket, user)


def can_cancel(ticket: Ticket, user: Any) -> bool:
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_close(ticket: Ticket, user: Any) -> bool:
    return can_work(ticket, user)


def can_reply(ticket: Ticket, user: Any) -> bool:
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_edit_details(ticket: Ticket, user: Any) -> bool:
    return is_requester_of(ticket, user) or can_work(ticket, user)


def can_change_priority(ticket: Ticket, user: Any) -> bool:
    return can_work(ticket, user)


def can_assign(ticket: Ticket, user: Any) -> bool:
    return capabilities(user).assign


def can_file_for_others(user: Any) -> bool:
    return capabilities(user).log_call


# django-fsm passes (instance, user); these adapters keep the predicates above readable.
def perm_accept(instance: Ticket, user: Any) -> bool:
    return can_work(instance, user)


def perm_handle(instance: Ticket, user: Any) -> bool:
    return can_handle(instance, user)


def perm_verify(instance: Ticket, user: Any) -> bool:
    return can_verify(instance, user)


def perm_reject_fix(instance: Ticket, user: Any) -> bool:
    return can_reject_fix(instance, user)


def perm_close(instance: Ticket, user: Any) -> bool:
    return can_close(instance, user)


def perm_cancel(instance: Ticket, user: Any) -> bool:
    return can_cancel(instance, user)
