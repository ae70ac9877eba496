"""Which actions a user may take on a ticket now: the one answer pages, API and services share.

The lifecycle transitions are the FSM declarations on ``Ticket`` (source
states and ``permission=``), asked through django-fsm's public API. The
actions outside the FSM (replies, notes, holds, priority, reassignment, edits,
files, links) are declared once below: who may, and in which states. Adding a
transition or an action is a change here or on the model, plus its tests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets import permissions
from tickets.choices import TicketState, WaitingOn
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Ticket


class Action(models.TextChoices):
    # lifecycle transitions: the names of the FSM methods on Ticket
    ACCEPT = "accept", _("Accept")
    DIAGNOSE = "diagnose", _("Diagnose")
    RESOLVE = "resolve", _("Resolve")
    VERIFY = "verify", _("Verify")
    REJECT_FIX = "reject_fix", _("Reject the fix")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")
    CLOSE_AS_DUPLICATE = "close_as_duplicate", _("Merge as a duplicate")
    REOPEN = "reopen", _("Reopen")
    # everything else a person does to a ticket
    REQUEST_INFO = "request_info", _("Ask for information")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    ATTACH = "attach", _("Add files")
    EDIT = "edit", _("Edit details")
    PRIORITY = "priority", _("Change priority")
    ASSIGN = "assign", _("Reassign")
    LINK = "link", _("Link related tickets")


TRANSITIONS = frozenset(
    {
        Action.ACCEPT,
        Action.DIAGNOSE,
        Action.RESOLVE,
        Action.VERIFY,
        Action.REJECT_FIX,
        Action.CLOSE,
        Action.CANCEL,
        Action.CLOSE_AS_DUPLICATE,
        Action.REOPEN,
    }
)


@dataclass(frozen=True)
class Rule:
    """An action outside the FSM: who may take it, and why it cannot be taken now (or None)."""

    who: Callable[[Ticket, User], bool]
    not_now: Callable[[Ticket], Promise | None]
    forbidden: Promise


def _open_for_conversation(ticket: Ticket) -> Promise | None:
    if ticket.state == TicketState.CLOSED:
        return _("This ticket is closed; please file a new one.")
    return None


def _can_ask(ticket: Ticket) -> Promise | None:
    if ticket.state not in (TicketState.ACCEPTED, TicketState.DIAGNOSED):
        return _("Accept the ticket before asking for details.")
    if ticket.is_waiting_on_requester:
        return _("The ticket is already waiting on the requester.")
    if ticket.waiting_on == WaitingOn.VENDOR:  # one hold at a time: its answer would end it
        return _("The ticket is waiting on a vendor: reply to the requester instead.")
    return None


def _can_edit(ticket: Ticket) -> Promise | None:
    return _("A closed ticket cannot be edited.") if ticket.state == TicketState.CLOSED else None


def _can_reprioritise(ticket: Ticket) -> Promise | None:
    return None if ticket.is_open else _("The priority of a finished ticket cannot change.")


def _can_reassign(ticket: Ticket) -> Promise | None:
    """A tech lead dispatches (派单) a submitted ticket or reassigns (转派) one in work."""
    if ticket.state in (
        TicketState.SUBMITTED,
        TicketState.ACCEPTED,
        TicketState.DIAGNOSED,
        TicketState.RESOLVED,
    ):
        return None
    return _("A finished ticket cannot be assigned.")


def _writes_notes(ticket: Ticket, user: User) -> bool:
    return permissions.can_view_internal(user) and permissions.can_work(ticket, user)


RULES: dict[str, Rule] = {
    Action.REQUEST_INFO: Rule(
        permissions.can_work, _can_ask, _("Only engineers ask for information.")
    ),
    Action.REPLY: Rule(
        permissions.can_reply, _open_for_conversation, _("You may not reply on this ticket.")
    ),
    Action.NOTE: Rule(
        _writes_notes, _open_for_conversation, _("Only engineers write internal notes.")
    ),
    Action.ATTACH: Rule(
        permissions.can_reply,
        _open_for_conversation,
        _("You may not add files to this ticket."),
    ),
    Action.EDIT: Rule(permissions.can_edit_details, _can_edit, _("You may not edit this ticket.")),
    Action.PRIORITY: Rule(
        permissions.can_change_priority, _can_reprioritise, _("Only engineers change priority.")
    ),
    Action.ASSIGN: Rule(
        permissions.can_assign, _can_reassign, _("Only a tech lead assigns tickets.")
    ),
    # Links are references, allowed in every state (a closed ticket is the usual target).
    Action.LINK: Rule(permissions.can_work, lambda ticket: None, _("Only engineers link tickets.")),
}


@functools.cache
def _transitions() -> dict[str, list[Any]]:
    """The FSM declarations by name (one per source state), read once from the model."""
    found: dict[str, list[Any]] = {}
    for t in Ticket(state=TicketState.SUBMITTED).get_all_state_transitions():  # type: ignore[attr-defined]
        found.setdefault(t.name, []).append(t)
    return found


def _open_now(ticket: Ticket, name: str) -> Any | None:
    """The declaration of ``name`` that leaves the ticket's current state, conditions met."""
    for t in _transitions()[name]:
        if t.source in (ticket.state, "*") and all(c(ticket) for c in t.conditions):
            return t
    return None


def may(ticket: Ticket, user: User, action: str) -> bool:
    """Whether this user may take this one action on this ticket now (no refusal is built:
    a queue page asks it for fifty rows)."""
    if action in TRANSITIONS:
        found = _open_now(ticket, action)
        return found is not None and bool(found.has_perm(ticket, user))
    rule = RULES[action]
    return rule.not_now(ticket) is None and rule.who(ticket, user)


def available_actions(ticket: Ticket, user: User) -> dict[str, bool]:
    """Every action by name, ``True`` where this user may take it on this ticket now."""
    return {action: may(ticket, user, action) for action in Action.values}


def check(ticket: Ticket, user: User, action: str) -> None:
    """Raise ``ActionForbidden`` (this user may never) or ``InvalidTransition`` (not now)."""
    if action in TRANSITIONS:
        # The transition's ``permission=`` whatever the current state: 403 comes before 409.
        if not any(t.has_perm(ticket, user) for t in _transitions()[action]):
            raise ActionForbidden(_("You may not do this on this ticket."))
        if _open_now(ticket, action) is None:
            raise InvalidTransition(
                _("This cannot be done while the ticket is %(state)s.")
                % {"state": ticket.get_state_display()}
            )
        return
    rule = RULES[action]
    if not rule.who(ticket, user):
        raise ActionForbidden(rule.forbidden)
    reason = rule.not_now(ticket)
    if reason is not None:
        raise InvalidTransition(reason)
