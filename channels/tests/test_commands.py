"""Short commands by IM: the message is exactly the command, or it is an ordinary message.

``状态 IT-…`` / ``status IT-…``; ``已解决`` / ``fixed`` and ``未解决`` / ``not fixed`` on the
sender's latest ticket awaiting verification; ``1``–``5`` answers the open satisfaction
survey (registered by feedback); and the registry other apps add to.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from channels import commands
from channels.choices import InboundOutcome
from channels.commands import Answer
from feedback.models import Survey
from feedback.tests.factories import verified_ticket
from tests.clock import sh
from tickets.choices import EventKind, TicketState
from tickets.models import Message, Ticket
from tickets.tests.factories import make_ticket, make_ticket_in

from .factories import CAROL_WECOM, link, message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]


@pytest.fixture(autouse=True)
def _linked(alice, carol, bob):
    link(alice, carol, bob)


MONDAY_10 = sh(2026, 11, 23, 10, 0)


@pytest.fixture(autouse=True)
def _english(alice, carol):
    for person in (alice, carol):
        person.language = "en"
        person.save(update_fields=["language"])


# --- status -----------------------------------------------------------------------------------


def test_status_tells_the_state_the_assignee_and_the_next_deadline(alice, bob, deliver, sent):
    # given
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
        # when
        outcome = deliver(message(f"status {ticket.number}"))
    # then
    assert outcome.outcome == InboundOutcome.COMMAND
    text = sent[0]["text"]
    assert ticket.title in text
    assert "State: Accepted" in text
    assert "Handled by: Bob" in text
    ticket.refresh_from_db()
    due = ticket.resolution_due_at.astimezone(MONDAY_10.tzinfo)
    assert f"To be resolved by {due:%H:%M}." in text
    assert not Message.objects.exists()


def test_status_of_a_new_ticket_gives_the_response_deadline(alice, deliver, sent):
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(requester=alice)
        deliver(message(f"状态 {ticket.number}"))

    assert "not assigned yet" in sent[0]["text"]
    assert "An engineer will respond by 10:30." in sent[0]["text"]


def test_status_reads_full_width_spaces_and_any_case(alice, deliver, sent):
    ticket = make_ticket(requester=alice)

    outcome = deliver(message(f"\u3000Status\u3000{ticket.number.lower()}\u3000"))

    assert outcome.outcome == InboundOutcome.COMMAND
    assert "State: Submitted" in sent[0]["text"]


def test_status_of_someone_elses_ticket_reveals_nothing(alice, carol, deliver, sent):
    alices = make_ticket(requester=alice, title="Salary sheet will not open")

    outcome = deliver(message(f"status {alices.number}", sender=CAROL_WECOM))

    assert outcome.outcome == InboundOutcome.COMMAND
    assert "Salary" not in sent[0]["text"]
    assert sent[0]["text"] == "No such ticket, or it is not one of yours."
    assert not Ticket.objects.filter(requester=carol).exists()


def test_status_asked_in_a_group_is_answered_to_the_sender_alone(alice, deliver, sent):
    ticket = make_ticket(requester=alice)

    deliver(message(f"status {ticket.number}", chat="group-7", is_group=True, thread="t1"))

    assert (sent[0]["to"], sent[0]["thread"]) == (alice.wecom_id, "")


# --- fixed / not fixed ------------------------------------------------------------------------


def test_fixed_confirms_the_latest_fix_waiting_for_the_sender(alice, bob, deliver, sent):
    # given: two fixes wait for alice, the second one newer
    older = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    newer = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    # when
    outcome = deliver(message("fixed"))
    # then
    assert outcome.outcome == InboundOutcome.COMMAND
    assert outcome.ticket_number == newer.number
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.state == TicketState.VERIFIED
    assert newer.verification_note == "Confirmed by IM message."
    assert older.state == TicketState.RESOLVED
    assert sent[0]["text"] == f"Thank you! Ticket {newer.number} is confirmed as fixed."


def test_yi_jie_jue_with_full_width_punctuation_is_the_command(alice, bob, deliver):
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)

    deliver(message(" 已解决。"))

    ticket.refresh_from_db()
    assert ticket.state == TicketState.VERIFIED


def test_not_fixed_sends_the_ticket_back_to_the_engineer(alice, bob, deliver, sent):
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)

    deliver(message("未解决"))

    ticket.refresh_from_db()
    assert ticket.state == TicketState.DIAGNOSED
    assert ticket.reopen_count == 1
    rejected = ticket.events.get(kind=EventKind.FIX_REJECTED)
    assert rejected.data["reason"] == "Not fixed (answered by IM)."
    assert ticket.number in sent[0]["text"]


def test_fixed_without_a_fix_waiting_changes_nothing(alice, bob, deliver, sent):
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)

    outcome = deliver(message("fixed"))

    assert outcome.outcome == InboundOutcome.COMMAND
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DIAGNOSED
    assert Ticket.objects.count() == 1
    assert sent[0]["text"] == "None of your tickets is waiting for you to confirm a fix."


def test_fixed_never_touches_someone_elses_fix(alice, carol, bob, deliver):
    alices = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)

    deliver(message("fixed", sender=CAROL_WECOM))

    alices.refresh_from_db()
    assert alices.state == TicketState.RESOLVED


@pytest.mark.parametrize(
    "text",
    ["The printer is fixed now, thanks", "fixed?? no, still jammed", "已解决了吗", "not fixed yet"],
)
def test_ordinary_text_containing_fixed_is_no_command(alice, bob, deliver, text):
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)

    outcome = deliver(message(text))

    assert outcome.outcome == InboundOutcome.FILED
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED


# --- the survey's rating (feedback) -----------------------------------------------------------


def test_a_number_after_the_survey_invitation_rates_all_three(alice, bob, deliver, sent):
    # given: alice verified a fix on Monday; the survey waits for her
    ticket = verified_ticket(alice, bob, MONDAY_10)
    # when
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        outcome = deliver(message("4"))
    # then
    assert outcome.outcome == InboundOutcome.COMMAND
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.speed, survey.quality, survey.attitude) == (4, 4, 4)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.CLOSED
    assert sent[0]["text"] == f"Thank you for rating ticket {ticket.number}: 4 of 5."


def test_a_number_without_an_open_survey_changes_nothing(alice, bob, deliver, sent):
    ticket = verified_ticket(alice, bob, MONDAY_10)
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        deliver(message("5"))
        # when: a second number, the survey answered already
        deliver(message("1"))

    survey = Survey.objects.get(ticket=ticket)
    assert survey.speed == 5
    assert sent[1]["text"] == "No satisfaction survey is waiting for your rating."


def test_a_number_in_a_sentence_is_no_rating(alice, bob, deliver):
    ticket = verified_ticket(alice, bob, MONDAY_10)
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=1), tick=False):
        deliver(message("5 people cannot print"))

    assert Survey.objects.get(ticket=ticket).answered_at is None
    assert Ticket.objects.count() == 2


# --- the registry -----------------------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch):
    """The registry as the apps left it, restored after the test."""
    monkeypatch.setattr(commands, "_registry", dict(commands._registry))
    return commands


def test_a_registered_command_answers_in_the_senders_name(alice, deliver, sent, registry):
    seen = []

    def ping(call):
        seen.append((call.user, call.text, call.match.group("n")))
        return Answer(f"pong {call.match.group('n')}")

    registry.register(r"ping (?P<n>\d+)", ping, name="test.ping")

    outcome = deliver(message("PING 7"))

    assert outcome.outcome == InboundOutcome.COMMAND
    assert seen == [(alice, "PING 7", "7")]
    assert sent[0]["text"] == "pong 7"
    assert not Ticket.objects.exists()


def test_a_command_refused_by_a_service_undoes_its_writes_and_says_why(
    alice, deliver, sent, registry
):
    def half_done(call):
        make_ticket(requester=call.user)  # written, then the service refuses
        raise ValidationError({"title": "Too vague."})

    registry.register("broken", half_done, name="test.broken")

    outcome = deliver(message("broken"))

    assert outcome.outcome == InboundOutcome.COMMAND
    assert not Ticket.objects.exists()
    assert sent[0]["text"] == "Too vague."
    assert sent[0]["to"] == alice.wecom_id


def test_command_text_reads_like_the_sender_meant_it():
    assert (
        commands.command_text("  Ｓｔａｔｕｓ\u3000 IT-20261123-0001 ！")
        == "Status IT-20261123-0001"
    )
    assert commands.find("fixed") is not None
    assert commands.find("it is fixed") is None
