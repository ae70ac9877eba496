"""E-mail in (R1.4): a person's mail becomes a ticket with ``channel = email``; a reply is
threaded onto a ticket only by a genuine reply token, never by the From header, a
quoted number or In-Reply-To; machines, loops and redeliveries file nothing."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy

import pytest
import time_machine
from django.core import mail as outbox
from django.urls import reverse
from django.utils import translation

from channels.choices import InboundOutcome
from channels.email import PROVIDER, intake
from channels.models import InboundMessage
from notifications import reply_tokens
from tests.clock import sh
from tickets import services
from tickets.choices import Channel, EventKind, MessageKind, TicketState, WaitingOn
from tickets.models import Attachment, Message, Ticket, TicketEvent
from tickets.tests.factories import make_ticket, make_ticket_in

from .mail import desk, eml, ingest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

MONDAY_10 = sh(2026, 11, 23, 10, 0)


@pytest.fixture(autouse=True)
def _desk(settings, monkeypatch):
    desk(settings, monkeypatch)


@pytest.fixture(autouse=True)
def _english(alice, carol, settings):
    settings.LANGUAGE_CODE = "en"
    for person in (alice, carol):
        person.language = "en"
        person.save(update_fields=["language"])


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def printer(alice) -> Ticket:
    """Alice's ticket, which the desk's mail about carries her token for."""
    return make_ticket(requester=alice, title="printer jams")


def token_of(ticket: Ticket, user) -> str:
    return reply_tokens.make(ticket.pk, user.pk)


def answer_to(address: str):
    sent = [message for message in outbox.outbox if message.to == [address]]
    assert len(sent) == 1, [m.subject for m in outbox.outbox]
    return sent[0]


# --- new tickets ---------------------------------------------------------------------------


def test_a_mail_from_a_known_person_files_one_ticket_by_email(alice):
    # when
    outcome = ingest(eml("new_ticket.eml"))

    # then
    ticket = Ticket.objects.get()
    assert (outcome.outcome, outcome.ticket_number) == (InboundOutcome.FILED, ticket.number)
    assert ticket.requester == alice
    assert ticket.channel == Channel.EMAIL
    assert ticket.title == "打印机卡纸了"
    assert ticket.description.startswith("三楼的 HP 打印机一直卡纸，换了纸也不行。")
    assert ticket.category.slug == "hardware-printer"
    row = InboundMessage.objects.get()
    assert (row.provider, row.event_id) == (PROVIDER, "CAJ8n3Hq1x9F2kT0b7e@mail.example.com")
    assert (row.outcome, row.user, row.ticket) == (InboundOutcome.FILED, alice, ticket)
    assert row.get_provider_display() == "E-mail"  # the admin's list names it, not "email"


def test_the_answer_gives_the_number_and_carries_the_reply_token(alice):
    # when
    ingest(eml("new_ticket.eml"))

    # then: one answer, to the address of alice's account, threaded under her mail
    ticket = Ticket.objects.get()
    answer = answer_to("alice@example.com")
    token = token_of(ticket, alice)
    assert ticket.number in answer.body
    assert "https://desk.example.com/" in answer.body
    assert answer.subject == f"[{ticket.number}] Re: 打印机卡纸了 [ref:{token}]"
    assert answer.reply_to == [f"servicedesk+{token}@example.com"]
    headers = message_from_bytes(answer.message().as_bytes(), policy=policy.default)
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["In-Reply-To"] == "<CAJ8n3Hq1x9F2kT0b7e@mail.example.com>"
    assert headers["Message-ID"].endswith("@example.com>")
    # and the answer, coming back (a forwarding loop), is recognised as the desk's own
    again = ingest(answer.message().as_bytes())
    assert again.outcome == InboundOutcome.IGNORED
    assert Ticket.objects.count() == 1


def test_the_same_message_twice_files_one_ticket_and_answers_once(alice):
    # given
    ingest(eml("new_ticket.eml"))

    # when: the MTA retries, or IMAP hands the message over again
    again = ingest(eml("new_ticket.eml"))

    # then
    assert again.outcome == "duplicate"
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert len(outbox.outbox) == 1


def test_a_message_without_message_id_is_recognised_by_its_bytes(alice):
    # given
    raw = eml("new_ticket.eml").replace(
        b"Message-ID: <CAJ8n3Hq1x9F2kT0b7e@mail.example.com>\n", b""
    )

    # when
    first, second = ingest(raw), ingest(raw)

    # then
    assert (first.outcome, second.outcome) == (InboundOutcome.FILED, "duplicate")
    assert InboundMessage.objects.get().event_id.startswith("sha256:")


def test_chinese_gbk_subject_name_body_and_file_name(alice):
    # when: Foxmail's mail, labelled GB2312 but holding the GBK-only 喆
    outcome = ingest(eml("chinese_gbk.eml"))

    # then
    ticket = Ticket.objects.get()
    assert outcome.outcome == InboundOutcome.FILED
    assert ticket.title == "邮箱登不上，王喆的电脑"
    assert ticket.description == (
        "早上开始 Foxmail 一直提示密码错误，重置密码后还是不行。\n王喆 分机 8123"
    )
    assert ticket.category.slug == "permission-account"
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["错误截图.png"]


# --- threading --------------------------------------------------------------------------------


def test_a_reply_to_the_token_address_lands_on_the_ticket_without_its_quotes(alice, printer):
    # given
    raw = eml("reply_plus_address.eml", token=token_of(printer, alice), number=printer.number)

    # when
    outcome = ingest(raw)

    # then
    assert (outcome.outcome, outcome.ticket_number) == (InboundOutcome.REPLIED, printer.number)
    assert Ticket.objects.count() == 1
    message = Message.objects.get(ticket=printer)
    assert message.author == alice
    assert message.kind == MessageKind.PUBLIC
    assert message.body == "It still jams after I cleaned the rollers, the page comes out crumpled."
    assert outbox.outbox == []  # a reply on a ticket is not acknowledged


def test_a_reply_with_the_token_in_its_subject_only_lands_on_the_ticket(alice, printer):
    # given: Outlook, to the desk's plain address, the reference kept in the subject
    raw = eml("reply_subject_token.eml", token=token_of(printer, alice))

    # when
    outcome = ingest(raw)

    # then
    assert (outcome.outcome, outcome.ticket_number) == (InboundOutcome.REPLIED, printer.number)
    assert (
        Message.objects.get(ticket=printer).body == "型号是 M404，错误代码 13.A2.D3。王喆也遇到了。"
    )


def test_a_reply_answers_the_engineers_question(alice, bob, printer):
    # given: bob asked alice for details; the ticket waits on her
    services.accept_ticket(printer.pk, actor=bob)
    services.request_info(printer.pk, actor=bob, question="Which model is it?")
    raw = eml("reply_subject_token.eml", token=token_of(printer, alice))

    # when
    ingest(raw)

    # then
    printer.refresh_from_db()
    assert printer.waiting_on == WaitingOn.NONE
    assert TicketEvent.objects.filter(ticket=printer, kind=EventKind.INFO_PROVIDED).exists()


def test_a_quoted_number_and_in_reply_to_never_thread_another_persons_ticket(alice, carol, printer):
    # given: carol writes quoting alice's ticket number, "in reply to" alice's first mail
    raw = eml("quoted_number_from_carol.eml", number=printer.number)

    # when
    outcome = ingest(raw)

    # then: a ticket of carol's own; alice's ticket untouched
    assert outcome.outcome == InboundOutcome.FILED
    assert Ticket.objects.get(number=outcome.ticket_number).requester == carol
    assert not Message.objects.filter(ticket=printer).exists()


def test_a_quoted_number_of_ones_own_ticket_files_a_new_one_too(alice, printer):
    # given: alice quotes her own ticket's number, without a token
    raw = eml("quoted_number_from_carol.eml", number=printer.number).replace(
        b"Carol <carol@example.com>", b"Alice <alice@example.com>"
    )

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.FILED
    assert outcome.ticket_number != printer.number


def test_alices_token_in_carols_mail_is_not_a_reply_on_alices_ticket(alice, carol, printer):
    # given: alice forwarded the desk's mail to carol, who answers it about her own problem
    raw = eml("token_from_carol.eml", token=token_of(printer, alice), number=printer.number)

    # when
    outcome = ingest(raw)

    # then: carol may not see alice's ticket, so hers is a new ticket of her own
    assert outcome.outcome == InboundOutcome.FILED
    ticket = Ticket.objects.get(number=outcome.ticket_number)
    assert ticket.requester == carol
    assert ticket.title == "New reply: printer jams"
    assert not Message.objects.filter(ticket=printer).exists()


def test_another_persons_token_is_taken_from_someone_who_may_see_the_ticket(alice, bob, printer):
    # given: bob (an engineer) answers the desk's mail that was written to alice
    raw = eml("reply_plus_address.eml", token=token_of(printer, alice), number=printer.number)
    raw = raw.replace(b"From: Alice <Alice@Example.com>", b"From: Bob <bob@example.com>")

    # when
    outcome = ingest(raw)

    # then: as bob's public reply
    assert (outcome.outcome, outcome.ticket_number) == (InboundOutcome.REPLIED, printer.number)
    assert Message.objects.get(ticket=printer).author == bob


def test_a_genuine_token_from_an_unknown_sender_adds_nothing(alice, printer):
    # given: alice's token, in a mail from someone the desk does not know
    raw = eml("reply_plus_address.eml", token=token_of(printer, alice), number=printer.number)
    raw = raw.replace(b"Alice <Alice@Example.com>", b"Mallory <mallory@example.com>")

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Message.objects.filter(ticket=printer).exists()
    assert Ticket.objects.count() == 1


def test_a_token_with_a_wrong_mac_is_no_reply(alice, printer):
    # given: alice's ticket and user ids, with a mac of someone's invention
    forged = f"{printer.pk}-{alice.pk}-{'a' * 20}"
    assert reply_tokens.read(forged) is None  # the mac is wrong indeed

    # when
    outcome = ingest(eml("wrong_mac.eml", forged=forged))

    # then: a new ticket, nothing on the one the token named
    assert outcome.outcome == InboundOutcome.FILED
    assert outcome.ticket_number != printer.number
    assert not Message.objects.filter(ticket=printer).exists()


def test_a_reply_on_a_closed_ticket_is_not_added_and_says_so(alice, bob):
    # given
    closed = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)
    raw = eml("reply_plus_address.eml", token=token_of(closed, alice), number=closed.number)

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Message.objects.filter(ticket=closed, author=alice).exists()
    assert "closed" in answer_to("alice@example.com").body


def test_fixed_in_reply_to_the_resolution_confirms_that_ticket(alice, bob):
    # given: two resolved tickets; the desk's mail was about the older one
    older = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    newer = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    raw = eml("reply_fixed.eml", token=token_of(older, alice), number=older.number)

    # when: "已解决", a phone's footer and the quoted notice
    outcome = ingest(raw)

    # then
    assert (outcome.outcome, outcome.ticket_number) == (InboundOutcome.COMMAND, older.number)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.state, newer.state) == (TicketState.VERIFIED, TicketState.RESOLVED)
    assert older.number in answer_to("alice@example.com").body


def test_fixed_on_a_ticket_not_awaiting_confirmation_is_an_ordinary_reply(alice, printer):
    # given
    raw = eml("reply_fixed.eml", token=token_of(printer, alice), number=printer.number)

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.REPLIED
    assert Message.objects.get(ticket=printer).body == "已解决"
    assert Ticket.objects.get(pk=printer.pk).state == TicketState.SUBMITTED


# --- what is not filed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture",
    ["auto_replied.eml", "precedence_bulk.eml", "own_message_id.eml"],
)
def test_machines_and_the_desks_own_mail_file_nothing_and_get_no_answer(alice, printer, fixture):
    # given (the out-of-office reply even carries a genuine token)
    raw = eml(fixture, token=token_of(printer, alice), number=printer.number)

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.IGNORED
    assert Ticket.objects.count() == 1
    assert not Message.objects.exists()
    assert outbox.outbox == []
    assert InboundMessage.objects.get().outcome == InboundOutcome.IGNORED


def test_a_persons_own_message_id_on_the_desks_domain_is_not_taken_for_ours(alice):
    # given: Foxmail names its Message-IDs after the sender's domain, the desk's too here
    assert b"<202611230912443216570@example.com>" in eml("chinese_gbk.eml")

    # when
    outcome = ingest(eml("chinese_gbk.eml"))

    # then
    assert outcome.outcome == InboundOutcome.FILED


def test_mail_from_the_desks_own_address_is_ignored(alice):
    # given
    raw = eml("new_ticket.eml").replace(
        b"From: Alice <alice@example.com>", b"From: IT Service Desk <ServiceDesk@example.com>"
    )

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Ticket.objects.exists()


def test_an_unknown_sender_files_nothing_and_is_told_once_a_day(alice):
    # when: a colleague without a desk account writes twice
    first = ingest(eml("unknown_sender.eml", sender="newcomer@example.com", id="u1"))
    second = ingest(eml("unknown_sender.eml", sender="newcomer@example.com", id="u2"))

    # then
    assert (first.outcome, second.outcome) == (InboundOutcome.UNKNOWN_SENDER,) * 2
    assert not Ticket.objects.exists()
    answer = answer_to("newcomer@example.com")
    assert "https://desk.example.com/tickets/new/" in answer.body
    assert answer.reply_to == []


def test_an_unknown_sender_outside_the_companys_domains_is_not_answered(alice):
    # when
    outcome = ingest(eml("unknown_sender.eml", sender="spam@elsewhere.test", id="s1"))

    # then
    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert outbox.outbox == []


def test_an_address_shared_by_two_accounts_files_nothing(alice, carol):
    # given
    carol.email = "ALICE@example.com"
    carol.save(update_fields=["email"])

    # when
    outcome = ingest(eml("new_ticket.eml"))

    # then
    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()
    assert "more than one" in answer_to("alice@example.com").body


def test_a_disabled_account_files_nothing(alice):
    # given
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    # when
    outcome = ingest(eml("new_ticket.eml"))

    # then
    assert outcome.outcome == InboundOutcome.UNKNOWN_SENDER
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        eml("malformed_binary.eml"),
        eml("malformed_no_from.eml"),
    ],
)
def test_what_is_no_message_files_nothing_and_raises_nothing(alice, raw):
    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == intake.MALFORMED
    assert not InboundMessage.objects.exists()
    assert not Ticket.objects.exists()


def test_a_broken_mime_structure_is_read_as_far_as_it_goes(alice):
    # when: no boundary declared, a body that is not base64, unknown charsets, a cut header
    outcome = ingest(eml("malformed_mime.eml"))

    # then: alice's mail, filed with what could be read
    ticket = Ticket.objects.get()
    assert outcome.outcome == InboundOutcome.FILED
    assert ticket.requester == alice
    assert "\x00" not in ticket.description


# --- what is kept ----------------------------------------------------------------------------


def test_html_mail_keeps_its_text_and_nothing_executable(alice):
    # when
    ingest(eml("html_script.eml"))

    # then
    ticket = Ticket.objects.get()
    assert ticket.title == "VPN disconnects every few minutes"
    assert ticket.description == (
        "The VPN disconnects every few minutes since Monday.\n\n"
        "Error: <script>alert(1)</script>\n\n"  # the sender's escaped text, as text
        "VPN log\n\n"
        "- Windows 11\n"
        "- FortiClient 7.2"
    )
    for executable in ("document.cookie", "onerror", "onload", "javascript:", "alert('"):
        assert executable not in ticket.description
    assert "Mail title" not in ticket.description
    assert "color" not in ticket.description


def test_a_mailed_script_never_reaches_the_ticket_page_as_markup(alice, client):
    # given
    ingest(eml("plain_script.eml"))
    ticket = Ticket.objects.get()
    assert "<script>alert('body')</script>" in ticket.description  # stored as the text it is

    # when
    client.force_login(alice)
    page = client.get(reverse("tickets:detail", kwargs={"number": ticket.number}))

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#x27;subject&#x27;)&gt; login page" in html


def test_attachments_are_kept_under_the_upload_limits_and_the_rest_noted(alice, settings):
    # given: a screenshot, a Windows program under another name, a 1.1 MB dump over 1 MB
    settings.TICKETS_MAX_ATTACHMENT_MB = 1
    large = b"\x00" * (1024 * 1024 + 100 * 1024)
    raw = eml("attachments.eml", large=_base64(large))

    # when
    outcome = ingest(raw)

    # then: filed, with the screenshot; the others named in the symptom
    assert outcome.outcome == InboundOutcome.FILED
    ticket = Ticket.objects.get()
    kept = Attachment.objects.get(ticket=ticket)
    assert (kept.original_name, kept.content_type, kept.size) == ("screenshot.png", "image/png", 70)
    assert kept.uploaded_by == alice
    assert ticket.description.startswith("The VPN client crashes as soon as I start it.")
    notes = ticket.description.splitlines()[-2:]
    assert notes[0].startswith("E-mail attachment not kept: vpn-setup.bin is a program")
    assert notes[1] == "E-mail attachment not kept: crash.dmp is larger than 1 MB."


def test_a_replys_attachments_go_on_the_ticket_with_it(alice, printer):
    # given: Foxmail's mail with a screenshot, its subject keeping the desk's reference
    reference = f"Subject: [ref:{token_of(printer, alice)}] ".encode()
    raw = eml("chinese_gbk.eml").replace(b"Subject: ", reference, 1)

    # when
    outcome = ingest(raw)

    # then
    assert (outcome.outcome, outcome.ticket_number) == (InboundOutcome.REPLIED, printer.number)
    message = Message.objects.get(ticket=printer)
    attachment = Attachment.objects.get(ticket=printer)
    assert (attachment.message, attachment.original_name) == (message, "错误截图.png")


def test_a_reply_with_nothing_new_in_it_adds_nothing(alice, printer):
    # given: only the quoted history
    raw = eml("reply_plus_address.eml", token=token_of(printer, alice), number=printer.number)
    raw = raw.replace(
        b"It still jams after I cleaned the rollers, the page comes out crumpled.", b""
    )

    # when
    outcome = ingest(raw)

    # then
    assert outcome.outcome == InboundOutcome.IGNORED
    assert not Message.objects.exists()


def _base64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "邮件"), ("en", "Email")])
def test_the_email_channel_is_named_in_both_languages(language, label):
    # the reports group and filter tickets by channel with these labels
    with translation.override(language):
        assert str(Channel(Channel.EMAIL).label) == label
