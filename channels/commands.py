"""Short commands sent to the desk by IM, and the registry higher apps add theirs to.

A message is a command only when it is exactly the command: trimmed, full-width letters,
digits and spaces read as half-width (NFKC), runs of spaces as one, a closing 。!！. left
off, letters in any case. "fixed" is a command; "the printer is fixed now" is a message.

Built in (in this order): ``状态 IT-…`` / ``status IT-…`` (the ticket's state, who handles
it, the next deadline), ``已解决`` / ``fixed`` and ``未解决`` / ``not fixed`` (on the
sender's latest ticket awaiting verification). Higher apps register theirs with
``register(matcher, handler)`` from their ``registration``: feedback registers ``1``–``5``,
the answer to its satisfaction survey.

A handler runs inside the intake's transaction, under the sender's language and time zone,
in a savepoint of its own: a domain error it raises (the ticket is not theirs, not in that
state, a field the service refuses) rolls back what it did and becomes the answer's text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from channels import replies
from channels.intake import Delivery
from tickets import selectors, services
from tickets.choices import TicketState, WaitingOn
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket

NUMBER = r"IT-\d{8}-\d{4}"


@dataclass(frozen=True)
class Answer:
    """What the desk answers. ``ticket_id``: the ticket it is about (its thread is
    remembered); ``private``: to the sender alone, also when they wrote in a group."""

    text: str
    ticket_id: int | None = None
    private: bool = False


@dataclass(frozen=True)
class CommandCall:
    user: User  # the sender, mapped to an active desk account
    delivery: Delivery
    text: str  # the normalised text the matcher saw
    match: re.Match[str]


Matcher = re.Pattern[str] | Callable[[str], re.Match[str] | None]
Handler = Callable[[CommandCall], Answer]


@dataclass(frozen=True)
class Command:
    name: str
    matcher: Matcher
    handler: Handler

    def match(self, text: str) -> re.Match[str] | None:
        if isinstance(self.matcher, re.Pattern):
            return self.matcher.fullmatch(text)
        return self.matcher(text)


_registry: dict[str, Command] = {}


def register(matcher: Matcher | str, handler: Handler, *, name: str = "") -> None:
    """Add a command: ``matcher`` is a pattern (a string is compiled, case-insensitive) the
    whole normalised text must match, or a function of that text returning a match or
    ``None``; ``handler`` answers it. Registering a name again replaces it (an app's
    ``ready`` may run twice); commands are tried in the order they were first registered."""
    if isinstance(matcher, str):
        matcher = re.compile(matcher, re.IGNORECASE)
    key = name or f"{handler.__module__}.{handler.__qualname__}"
    _registry[key] = Command(key, matcher, handler)


def command_text(text: str) -> str:
    """The text as commands read it (see the module's docstring)."""
    found = " ".join(unicodedata.normalize("NFKC", text).split())
    return found.rstrip("。.!！").strip()


def find(text: str) -> tuple[Command, re.Match[str]] | None:
    normalised = command_text(text)
    if not normalised:
        return None
    for command in _registry.values():
        match = command.match(normalised)
        if match is not None:
            return command, match
    return None


def run(user: User, delivery: Delivery) -> Answer | None:
    """The answer of the command ``delivery`` is, or ``None`` when it is no command."""
    found = find(delivery.text)
    if found is None:
        return None
    command, match = found
    call = CommandCall(user, delivery, command_text(delivery.text), match)
    try:
        with transaction.atomic():
            return command.handler(call)
    except (TicketNotFound, ActionForbidden, InvalidTransition, ValidationError) as exc:
        return Answer(explain(exc), private=True)


def explain(exc: Exception) -> str:
    """A domain error as a sentence for the sender."""
    if isinstance(exc, TicketNotFound):
        return _("No such ticket, or it is not one of yours.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("That cannot be done now.")


# --- built-in commands -----------------------------------------------------------------------


def status(call: CommandCall) -> Answer:
    """``状态 IT-…``: state, who handles it, the next deadline (to the sender alone)."""
    ticket = selectors.get_ticket_for(call.user, call.match.group("number").upper())
    handler = ticket.assignee.name if ticket.assignee else _("not assigned yet")
    lines = [
        f"{ticket.number} {ticket.title}",
        _("State: %(state)s") % {"state": TicketState(ticket.state).label},
        _("Handled by: %(name)s") % {"name": handler},
        _next_step(ticket, call.user),
        replies.ticket_link(ticket.number),
    ]
    return Answer("\n".join(lines), ticket_id=ticket.pk, private=True)


def _next_step(ticket: Ticket, reader: User) -> str:
    own = ticket.requester_id == reader.pk
    if ticket.state == TicketState.SUBMITTED and ticket.response_due_at:
        return _("An engineer will respond by %(when)s.") % {
            "when": replies.when_text(ticket.response_due_at)
        }
    if ticket.state == TicketState.RESOLVED:
        if own:
            return _("Waiting for you to confirm the fix: answer “fixed” or “not fixed”.")
        return _("Waiting for the requester to confirm the fix.")
    if ticket.state in (TicketState.ACCEPTED, TicketState.DIAGNOSED):
        if ticket.waiting_on == WaitingOn.REQUESTER:
            if own:
                return _("Waiting for your answer to the engineer's question.")
            return _("Waiting for the requester's answer.")
        if ticket.waiting_on == WaitingOn.VENDOR:
            return _("Waiting on a vendor.")
        if ticket.resolution_due_at:
            return _("To be resolved by %(when)s.") % {
                "when": replies.when_text(ticket.resolution_due_at)
            }
    return _("No deadline: the ticket is finished.")


def _awaiting_verification(user: User) -> Ticket | None:
    return (
        selectors.my_tickets(user)
        .filter(state=TicketState.RESOLVED)
        .order_by("-resolved_at", "-pk")
        .first()
    )


def fixed(call: CommandCall) -> Answer:
    """``已解决`` / ``fixed``: confirm the fix of the sender's latest resolved ticket."""
    ticket = _awaiting_verification(call.user)
    if ticket is None:
        return Answer(_("None of your tickets is waiting for you to confirm a fix."))
    services.verify_ticket(
        ticket.pk, actor=call.user, verification_note=_("Confirmed by IM message.")
    )
    return Answer(
        _("Thank you! Ticket %(number)s is confirmed as fixed.") % {"number": ticket.number},
        ticket_id=ticket.pk,
    )


def not_fixed(call: CommandCall) -> Answer:
    """``未解决`` / ``not fixed``: reject the fix of the sender's latest resolved ticket."""
    ticket = _awaiting_verification(call.user)
    if ticket is None:
        return Answer(_("None of your tickets is waiting for you to confirm a fix."))
    services.reject_fix(ticket.pk, actor=call.user, reason=_("Not fixed (answered by IM)."))
    return Answer(
        _("Ticket %(number)s goes back to the engineer. Reply here to tell them more.")
        % {"number": ticket.number},
        ticket_id=ticket.pk,
    )


register(rf"(?:状态|查询|status)\s*(?P<number>{NUMBER})", status, name="channels.status")
register(r"已解决|fixed", fixed, name="channels.fixed")
register(r"未解决|not fixed", not_fixed, name="channels.not_fixed")
