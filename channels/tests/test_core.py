"""An IM message becomes a ticket (R1.2, R1.5): once per event, only from a linked person,
and the sender hears back the number and the promised response time."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import translation

from accounts.models import Site
from accounts.services import read_im_link
from channels import purge
from channels.choices import InboundOutcome, Provider
from channels.intake import core
from channels.models import InboundMessage
from tests.clock import sh
from tickets import services
from tickets.choices import Channel, Impact, Priority, Urgency
from tickets.models import Ticket, TicketEvent

from .factories import ALICE_WECOM, link, message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]


@pytest.fixture(autouse=True)
def _linked(alice, carol):
    link(alice, carol)


MONDAY_10 = sh(2026, 11, 23, 10, 0)


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def test_a_message_from_a_linked_person_files_one_ticket_by_im(alice, deliver, sent):
    # given
    text = "打印机卡纸了\n三楼的 HP 打印机一直卡纸，换了纸也不行"
    # when
    outcome = deliver(message(text))
    # then
    ticket = Ticket.objects.get()
    assert outcome.outcome == InboundOutcome.FILED
    assert outcome.ticket_number == ticket.number
    assert ticket.requester == alice
    assert ticket.channel == Channel.IM
    assert ticket.title == "打印机卡纸了"
    assert ticket.description == text
    assert ticket.category.slug == "hardware-printer"
    assert (ticket.impact, ticket.urgency) == (Impact.SINGLE, Urgency.ABNORMAL)
    row = InboundMessage.objects.get()
    assert (row.outcome, row.user, row.ticket) == (InboundOutcome.FILED, alice, ticket)
    assert len(sent) == 1
    assert sent[0]["provider"] == Provider.WECOM
    assert sent[0]["to"] == ALICE_WECOM
    assert sent[0]["ticket_id"] == ticket.pk  # the transport remembers the thread it sends into
    assert ticket.number in sent[0]["text"]


def test_each_message_is_its_own_ticket(alice, deliver):
    deliver(message("VPN 连不上"))
    deliver(message("VPN 连不上"))

    assert Ticket.objects.count() == 2


def test_a_redelivered_event_changes_nothing_and_is_answered_once(alice, deliver, sent):
    # given
    first = message("Outlook keeps asking for my password")
    deliver(first)
    events = TicketEvent.objects.count()
    # when: the provider retries the same event (twice)
    again = deliver(message("Outlook keeps asking for my password", event_id=first.event_id))
    deliver(first)
    # then
    assert again.outcome == core.DUPLICATE
    assert again.reply == ""
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == events
    assert InboundMessage.objects.count() == 1
    assert len(sent) == 1


def test_the_same_event_id_from_another_provider_is_another_event(alice, deliver):
    alice.slack_id = "U0ALICE"
    alice.save(update_fields=["slack_id"])
    first = message("Printer offline")
    deliver(first)

    deliver(
        message(
            "Printer offline", provider=Provider.SLACK, sender="U0ALICE", event_id=first.event_id
        )
    )

    assert Ticket.objects.count() == 2


def test_an_unknown_sender_files_nothing_and_is_sent_one_link_to_link_the_account(
    alice, deliver, sent, settings
):
    # given
    settings.SITE_URL = "https://desk.example.com/"
    stranger = message("电脑开不了机", sender="NewHire01", chat="group-7", is_group=True)
    # when: delivered, then retried by the provider
    outcome = deliver(stranger)
    deliver(stranger)
    # then
    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()
    assert len(sent) == 1
    answer = sent[0]
    assert answer["to"] == "NewHire01"  # the sender alone, not the group: the link links
    assert answer["thread"] == ""
    url = next(word for word in answer["text"].split() if word.startswith("http"))
    assert url.startswith("https://desk.example.com/accounts/profile/?link=")
    token = parse_qs(urlsplit(url).query)["link"][0]
    assert read_im_link(token) == (Provider.WECOM, "NewHire01")
    row = InboundMessage.objects.get()
    assert (row.outcome, row.user, row.ticket) == (InboundOutcome.UNKNOWN_SENDER, None, None)


def test_an_empty_sender_matches_nobody_and_the_group_is_told_where_to_link(deliver, sent, db):
    # given: a person whose WeCom id is empty
    from accounts.roles import Role
    from accounts.tests.factories import make_user

    make_user("nobody", Role.REQUESTER)
    # when
    outcome = deliver(message("网络断了", sender="", chat="group-7", is_group=True))
    # then
    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()
    assert len(sent) == 1
    assert sent[0]["to"] == "group-7"
    assert "/accounts/profile/" in sent[0]["text"]
    assert "link=" not in sent[0]["text"]


def test_an_inactive_person_is_an_unknown_sender(alice, deliver, sent):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    outcome = deliver(message("Wi-Fi drops every hour"))

    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()
    assert len(sent) == 1


def test_an_id_two_people_share_files_nothing(alice, carol, deliver, sent):
    carol.wecom_id = ALICE_WECOM
    carol.save(update_fields=["wecom_id"])

    outcome = deliver(message("Wi-Fi drops every hour"))

    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()
    assert len(sent) == 1
    assert "link=" not in sent[0]["text"]


def test_a_group_message_that_does_not_mention_the_desk_is_ignored(alice, deliver, sent):
    outcome = deliver(message("打印机又卡纸了", chat="group-7", is_group=True, mentions_desk=False))

    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Ticket.objects.exists()
    assert sent == []
    assert InboundMessage.objects.get().outcome == InboundOutcome.IGNORED


def test_a_group_message_mentioning_the_desk_is_filed_and_answered_in_the_group(
    alice, deliver, sent
):
    deliver(message("打印机又卡纸了", chat="group-7", is_group=True, thread="root-1"))

    assert Ticket.objects.count() == 1
    assert (sent[0]["to"], sent[0]["thread"]) == ("group-7", "root-1")


@pytest.mark.parametrize("flag", ["is_bot", "is_edit"])
def test_bot_messages_and_edits_are_ignored(alice, deliver, sent, flag):
    outcome = deliver(message("打印机卡纸了", **{flag: True}))

    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Ticket.objects.exists()
    assert sent == []


def test_the_answer_promises_the_response_time_in_the_senders_language_and_zone(
    alice, deliver, sent
):
    # given: alice reads English and works in Tokyo (an hour ahead of Shanghai)
    alice.language = "en"
    alice.site = Site.objects.create(code="tyo", name="Tokyo", city="Tokyo", time_zone="Asia/Tokyo")
    alice.save(update_fields=["language", "site"])
    # when: filed at 10:00 Shanghai; a medium ticket is answered within 30 working minutes
    deliver(message("The finance system shows error 500 when I export invoices"))
    # then
    ticket = Ticket.objects.get()
    assert ticket.priority == Priority.MEDIUM
    assert ticket.response_due_at == MONDAY_10 + dt.timedelta(minutes=30)
    text = sent[0]["text"]
    assert f"Ticket {ticket.number} has been filed. An engineer will respond by 11:30." in text
    assert ticket.category.name_en in text
    assert f"/tickets/{ticket.number}/" in text


def test_the_answer_is_in_the_desks_language_by_default(alice, deliver, sent):
    deliver(message("显示器不亮了"))

    ticket = Ticket.objects.get()
    with translation.override("zh-hans"):
        expected = core.filed_text(ticket)
    assert sent[0]["text"] == expected
    assert "10:30" in expected
    assert ticket.category.name in expected


def test_words_about_everyone_and_stopped_work_raise_impact_and_urgency(alice, deliver):
    deliver(message("全公司都上不了网了，大家无法工作"))

    ticket = Ticket.objects.get()
    assert ticket.category.slug == "network-wired"
    assert (ticket.impact, ticket.urgency) == (Impact.NETWORK, Urgency.INTERRUPTED)
    assert ticket.priority == Priority.HIGH


def test_a_long_first_line_becomes_a_shortened_title_and_the_whole_text_the_symptom(alice, deliver):
    first = (
        "When I open the quarterly report in Excel the whole application freezes and then "
        "closes without saving anything"
    )
    deliver(message(f"{first}\nIt started after yesterday's update."))

    ticket = Ticket.objects.get()
    assert ticket.title.endswith("…")
    assert len(ticket.title) <= 60
    assert first.startswith(ticket.title[:-1])
    assert not ticket.title[:-1].endswith(" ")
    assert ticket.description.endswith("It started after yesterday's update.")


def test_a_lone_surrogate_or_nul_in_the_text_is_filed_without_them(alice, deliver):
    deliver(message("VPN\x00 断开\ud800了"))

    assert Ticket.objects.get().description == "VPN 断开?了"


def test_a_thank_you_files_nothing(alice, deliver, sent):
    outcome = deliver(message("谢谢！"))

    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Ticket.objects.exists()
    assert sent == []


def test_a_message_without_text_files_nothing_and_asks_for_words(alice, deliver, sent):
    outcome = deliver(message(""))

    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Ticket.objects.exists()
    assert len(sent) == 1


def test_someone_who_may_not_file_is_told_so(dave, deliver, sent):
    link(dave)
    with translation.override("en"):
        outcome = deliver(message("Please reset my VPN token", sender=dave.wecom_id))

    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Ticket.objects.exists()
    assert len(sent) == 1
    assert InboundMessage.objects.get().user == dave


def test_a_failure_while_filing_rolls_the_event_back_for_the_providers_retry(
    alice, deliver, sent, monkeypatch
):
    # given: filing breaks (a bug, the database)
    submit = services.submit_ticket

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "submit_ticket", broken)
    delivery = message("打印机卡纸了")
    # when
    with pytest.raises(RuntimeError):
        deliver(delivery)
    # then: nothing recorded, nothing sent; the retry is handled afresh
    assert not InboundMessage.objects.exists()
    assert sent == []
    monkeypatch.setattr(services, "submit_ticket", submit)
    assert deliver(delivery).outcome == InboundOutcome.FILED
    assert len(sent) == 1


def test_inbound_events_are_forgotten_after_seven_days(alice, deliver):
    # given
    deliver(message("Wi-Fi is slow"))
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=6), tick=False):
        deliver(message("Wi-Fi is slow again"))
    # when: the purge runs 7 days and a minute after the first
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=7, minutes=1), tick=False):
        deleted = purge.purge_inbound()
    # then
    assert deleted == 1
    assert InboundMessage.objects.get().received_at == MONDAY_10 + dt.timedelta(days=6)
