"""A message that continues a ticket — a reply in the thread of the desk's message about it,
or a message quoting its number — is added to that ticket like a reply on its page; never
to a ticket the sender may not see."""

from __future__ import annotations

import pytest
from django.utils import translation

from channels.choices import InboundOutcome, Provider
from channels.models import OutboundThread
from channels.threads import remember_thread, ticket_of_thread
from tickets import services
from tickets.choices import EventKind, MessageKind, TicketState, WaitingOn
from tickets.models import Message, Ticket
from tickets.tests.factories import make_ticket, make_ticket_in

from .factories import CAROL_WECOM, link, message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]


@pytest.fixture(autouse=True)
def _linked(alice, carol, bob):
    link(alice, carol, bob)


@pytest.fixture(autouse=True)
def _english(alice, carol):
    for person in (alice, carol):
        person.language = "en"
        person.save(update_fields=["language"])


def test_a_reply_in_the_thread_of_the_desks_message_lands_on_its_ticket(alice, deliver, sent):
    # given: the desk wrote to alice about her ticket; WeCom gave the message id "msg-1"
    ticket = make_ticket(requester=alice)
    remember_thread(Provider.WECOM, "msg-1", ticket)
    # when
    outcome = deliver(message("Still blank pages after the restart", thread="msg-1"))
    # then
    assert outcome.outcome == InboundOutcome.REPLIED
    assert outcome.ticket_number == ticket.number
    assert Ticket.objects.count() == 1
    reply = Message.objects.get(ticket=ticket)
    assert (reply.author, reply.kind, reply.body) == (
        alice,
        MessageKind.PUBLIC,
        "Still blank pages after the restart",
    )
    assert sent[0]["text"] == f"Added to ticket {ticket.number}."
    assert sent[0]["ticket_id"] == ticket.pk


def test_the_thread_a_ticket_was_filed_from_carries_later_messages_to_it(alice, deliver):
    # given
    deliver(message("Printer on floor 3 is offline", chat="group-7", is_group=True, thread="t-9"))
    ticket = Ticket.objects.get()
    # when
    deliver(message("It has a red light now", chat="group-7", is_group=True, thread="t-9"))
    # then
    assert Ticket.objects.count() == 1
    assert Message.objects.get().ticket == ticket


def test_a_quoted_number_lands_on_that_ticket(alice, deliver):
    older = make_ticket(requester=alice, title="VPN drops")
    make_ticket(requester=alice, title="Printer jam")

    outcome = deliver(message(f"About {older.number}: it dropped again at 9:05"))

    assert outcome.outcome == InboundOutcome.REPLIED
    assert Message.objects.get().ticket == older


def test_a_quoted_number_in_full_width_lower_case_is_recognised(alice, deliver):
    ticket = make_ticket(requester=alice)
    shown = ticket.number.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})

    deliver(message(f"{shown} 还是不行"))

    assert Message.objects.get().ticket == ticket


def test_a_quoted_number_of_someone_elses_ticket_is_a_new_ticket_of_the_sender(
    alice, carol, deliver, sent
):
    # given
    alices = make_ticket(requester=alice, title="Printer prints blank pages")
    # when: carol quotes it
    outcome = deliver(message(f"My printer too, like {alices.number}", sender=CAROL_WECOM))
    # then: nothing reaches alice's ticket, and carol learns nothing about it
    assert outcome.outcome == InboundOutcome.FILED
    assert not Message.objects.filter(ticket=alices).exists()
    assert Ticket.objects.exclude(pk=alices.pk).get().requester == carol
    assert alices.title not in sent[0]["text"]


def test_a_reply_in_the_thread_of_someone_elses_ticket_is_not_added_to_it(alice, carol, deliver):
    # given: the desk answered alice in a group thread; carol writes in that thread
    alices = make_ticket(requester=alice)
    remember_thread(Provider.WECOM, "t-5", alices)
    # when
    outcome = deliver(
        message("Ours is broken as well", sender=CAROL_WECOM, chat="g", is_group=True, thread="t-5")
    )
    # then
    assert outcome.outcome == InboundOutcome.FILED
    assert not Message.objects.filter(ticket=alices).exists()
    assert Ticket.objects.filter(requester=carol).count() == 1


def test_a_reply_answers_the_engineers_question_like_on_the_web(alice, bob, deliver, sent):
    # given: bob asked alice for the error code; the ticket waits on her
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    services.request_info(ticket.pk, actor=bob, question="Which error code does it show?")
    remember_thread(Provider.WECOM, "msg-2", ticket)
    # when
    deliver(message("Error 0x0000007B", thread="msg-2"))
    # then
    ticket.refresh_from_db()
    assert ticket.waiting_on == WaitingOn.NONE
    assert ticket.events.filter(kind=EventKind.INFO_PROVIDED).count() == 1
    assert "your answer is on ticket" in sent[0]["text"]


def test_a_message_on_a_closed_ticket_is_not_added_and_the_sender_is_told(
    alice, bob, deliver, sent
):
    ticket = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)
    remember_thread(Provider.WECOM, "msg-3", ticket)

    outcome = deliver(message("Thanks again, all good", thread="msg-3"))

    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Message.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.count() == 1
    with translation.override("en"):
        assert "is closed" in sent[0]["text"]


def test_the_first_ticket_of_a_thread_stands(alice):
    first = make_ticket(requester=alice)
    second = make_ticket(requester=alice)

    remember_thread(Provider.SLACK, "1700000000.000100", first)
    remember_thread(Provider.SLACK, "1700000000.000100", second.pk)
    remember_thread(Provider.SLACK, "", second)

    assert OutboundThread.objects.count() == 1
    assert ticket_of_thread(Provider.SLACK, "1700000000.000100") == first.pk
    assert ticket_of_thread(Provider.FEISHU, "1700000000.000100") is None
