"""A notification e-mail as sent: plain text and HTML in the reader's language and zone, the
headers that let them reply to the ticket, thread it and stop it, and nothing a title can
break (no injected header, no failed send, no markup run)."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation

from accounts.models import Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from notifications import delivery, outbox, reply_tokens
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.transports import email as email_transport
from tickets import notify
from tickets.choices import TicketNotice
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

# 20:30 UTC on 25 November is 04:30 the next morning in Shanghai.
DUE = "2026-11-25T20:30:00+00:00"
DESK = "desk.example.cn"


@pytest.fixture(autouse=True)
def _desk(settings):
    settings.DEFAULT_FROM_EMAIL = f"desk@{DESK}"
    settings.SITE_URL = "https://it.example.cn"
    settings.TIME_ZONE = "UTC"  # the server runs in UTC; the readers' office is in Shanghai
    settings.EMAIL_PLUS_ADDRESSING = True


def reader(username: str, language: str, role: str = Role.ENGINEER) -> User:
    site, _ = Site.objects.get_or_create(
        code="sh", defaults={"name": "Shanghai", "time_zone": "Asia/Shanghai"}
    )
    return make_user(username, role, site=site, language=language)


def sent(ticket: Ticket, person: User, mailoutbox, *, kind=TicketNotice.RESPONSE_BREACH):
    """The e-mail about ``ticket`` written to ``person`` and sent through the outbox."""
    outbox.save_and_dispatch(
        notify.rows_about(
            ticket,
            recipients=[person],
            kind=kind,
            cause=f"test:{ticket.pk}:{kind}",
            now=timezone.now(),
            extra={"due_at": DUE},
        )
    )
    row = Notification.objects.get(
        recipient=person,
        channel=NotificationChannel.EMAIL,
        kind=kind,
        payload__number=ticket.number,
    )
    assert delivery.send_notification(row.pk) is True
    mail = mailoutbox[-1]
    assert mail.to == [person.email] and ticket.number in mail.subject
    return mail


def html_of(mail: EmailMultiAlternatives) -> str:
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    return str(html)


def parsed(mail: EmailMultiAlternatives) -> email.message.EmailMessage:
    """The message as a mail client reads it from the wire."""
    return email.message_from_bytes(mail.message().as_bytes(), policy=policy.default)


@pytest.mark.parametrize(
    ("language", "due", "label", "link"),
    [
        ("zh-hans", "截止时间", "响应已超时", "查看详情"),
        ("en", "Due", "Response overdue", "View details"),
    ],
    ids=["zh", "en"],
)
def test_the_mail_is_text_and_html_in_the_readers_language_and_zone(
    alice, mailoutbox, language, due, label, link
):
    # given
    wang = reader("wang", language)
    ticket = make_ticket(requester=alice, title="VPN drops every 10 minutes")

    # when
    mail = sent(ticket, wang, mailoutbox)

    # then: multipart/alternative, the text first, the HTML as the richer alternative
    wire = parsed(mail)
    assert wire.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in wire.iter_parts()] == ["text/plain", "text/html"]
    html = html_of(mail)
    with translation.override(language):
        colon = translation.gettext(": ")
    for part in (mail.body, html):
        assert ticket.number in part and "VPN drops every 10 minutes" in part
        assert label in part and link in part
        assert f"https://it.example.cn/tickets/{ticket.number}/" in part
    assert f"{due}{colon}2026-11-26 04:30" in mail.body
    assert re.search(rf"{due}</td><td[^>]*>2026-11-26 04:30", html)
    assert "20:30" not in mail.body + html
    assert f'<html lang="{"zh-Hans" if language == "zh-hans" else "en"}"' in html
    assert wire["Content-Language"] == ("zh-Hans" if language == "zh-hans" else "en")
    has_chinese = re.search(r"[\u4e00-\u9fff]", mail.body + html) is not None
    assert has_chinese is (language == "zh-hans")


def test_the_html_is_self_contained_and_fits_a_phone(alice, mailoutbox):
    mail = sent(make_ticket(requester=alice), reader("wang", "en"), mailoutbox)

    html = html_of(mail)

    assert "<script" not in html and "<img" not in html and "<link" not in html
    assert "max-width:600px" in html and 'name="viewport"' in html
    assert re.findall(r'(?:src|href)="([^"]+)"', html)  # links only, each to the desk
    assert all(
        url.startswith("https://it.example.cn/")
        for url in re.findall(r'(?:src|href)="([^"]+)"', html)
    )


def test_headers_reply_thread_and_unsubscribe(alice, mailoutbox):
    # given: two mails about one ticket, one about another
    wang = reader("wang", "en")
    ticket = make_ticket(requester=alice)
    other = make_ticket(requester=alice, title="Another fault")

    # when
    first = sent(ticket, wang, mailoutbox)
    second = sent(ticket, wang, mailoutbox, kind=TicketNotice.RESOLUTION_WARNING)
    elsewhere = sent(other, wang, mailoutbox)

    # then: the reply token names the ticket and the reader, in Reply-To and the subject
    token = reply_tokens.make(ticket.pk, wang.pk)
    wire = parsed(first)
    assert wire["Reply-To"] == f"desk+{token}@{DESK}"
    assert first.subject.startswith(f"[{ticket.number}] Response overdue: ")
    assert first.subject.endswith(f" [ref:{token}]")
    assert reply_tokens.read(wire["Reply-To"]) == reply_tokens.read(first.subject)
    assert reply_tokens.read(first.subject) == reply_tokens.ReplyToken(ticket.pk, wang.pk)
    # from the desk, by the desk's own name, with a Message-ID on the desk's domain
    assert wire["From"].addresses[0].addr_spec == f"desk@{DESK}"
    assert wire["From"].addresses[0].display_name == "IT Service Desk"
    ids = {parsed(mail)["Message-ID"] for mail in (first, second, elsewhere)}
    assert len(ids) == 3 and all(i.endswith(f"@{DESK}>") for i in ids)
    # one thread per ticket
    root = f"<thread.{ticket.number.lower()}@{DESK}>"
    assert [parsed(m)["References"] for m in (first, second)] == [root, root]
    assert [parsed(m)["In-Reply-To"] for m in (first, second)] == [root, root]
    assert parsed(elsewhere)["References"] == f"<thread.{other.number.lower()}@{DESK}>"
    # automatic, and one click stops this kind of mail
    assert wire["Auto-Submitted"] == "auto-generated"
    assert wire["X-Auto-Response-Suppress"] == "All"
    assert re.fullmatch(
        rf"<https://it\.example\.cn/notifications/unsubscribe/{wang.pk}\.response_breach\.[a-z2-7]{{32}}/>",
        wire["List-Unsubscribe"].strip(),
    )
    assert wire["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # and the footer says where the settings are and how to stop it
    assert "https://it.example.cn/notifications/preferences/" in first.body + html_of(first)
    assert wire["List-Unsubscribe"].strip().strip("<>") in first.body


def test_without_plus_addressing_the_token_rides_in_the_subject_only(alice, mailoutbox, settings):
    settings.EMAIL_PLUS_ADDRESSING = False
    wang = reader("wang", "en")
    ticket = make_ticket(requester=alice)

    mail = sent(ticket, wang, mailoutbox)

    assert mail.reply_to == []
    assert reply_tokens.read(mail.subject) == reply_tokens.ReplyToken(ticket.pk, wang.pk)


def test_a_desk_address_with_a_name_keeps_its_name(alice, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = f"Helpdesk Shanghai <desk@{DESK}>"

    mail = sent(make_ticket(requester=alice), reader("wang", "zh-hans"), mailoutbox)

    assert mail.from_email == f"Helpdesk Shanghai <desk@{DESK}>"


def test_cr_lf_in_a_title_injects_no_header_and_the_mail_still_goes(alice, mailoutbox):
    # given: a title carrying a header of its own (as typed into the API or an IM message)
    wang = reader("wang", "en")
    ticket = make_ticket(requester=alice)
    hostile = "Printer\r\nBcc: evil@example.com\x1b\u2028X-Evil: 1\u202e"
    Ticket.objects.filter(pk=ticket.pk).update(title=hostile)
    ticket.refresh_from_db()

    # when
    mail = sent(ticket, wang, mailoutbox)

    # then: sent, to the reader alone, the title on the subject's one line
    assert (
        Notification.objects.get(recipient=wang, channel=NotificationChannel.EMAIL).sent_at
        is not None
    )
    assert mail.recipients() == [wang.email]
    assert "\r" not in mail.subject and "\n" not in mail.subject
    assert not {"\x1b", "\u2028", "\u202e"} & set(mail.subject)
    assert "Printer Bcc: evil@example.com X-Evil: 1" in mail.subject
    wire = parsed(mail)
    assert wire["Bcc"] is None and wire["X-Evil"] is None
    head = mail.message().as_bytes().split(b"\n\n", 1)[0]
    assert not re.search(rb"^(Bcc|X-Evil):", head, flags=re.MULTILINE | re.IGNORECASE)


def test_the_html_escapes_peoples_text_and_the_text_part_keeps_it_verbatim(alice, mailoutbox):
    ticket = make_ticket(requester=alice)
    title = '<script>alert(1)</script> "quoted" & <b>bold</b>'
    Ticket.objects.filter(pk=ticket.pk).update(title=title)
    ticket.refresh_from_db()

    mail = sent(ticket, reader("wang", "en"), mailoutbox)

    html = html_of(mail)
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold" in html
    assert title in mail.body and title in mail.subject


def test_a_kind_with_its_own_body_keeps_it_in_both_parts(dave):
    # given: a management report of a major incident (no ticket: no reply token)
    User.objects.filter(pk=dave.pk).update(language="en")
    row = Notification.objects.create(
        recipient=User.objects.get(pk=dave.pk),
        channel=NotificationChannel.EMAIL,
        kind="incident_report",
        link="/incidents/MI-20261126-0001/",
        payload={
            "number": "MI-20261126-0001",
            "title": "ERP down",
            "status": "identified",
            "impact": "Nobody can post <invoices>.",
            "done": "The disk array failed.\nFailover started.",
            "next_steps": "Fail over to the standby server.",
            "no_new_status": False,
            "late": False,
            "missed": 0,
            "slot_at": "2026-11-26T02:30:00+00:00",
            "next_report_at": "2026-11-26T03:00:00+00:00",
        },
        dedupe_key="test:report",
        created_at=timezone.now(),
    )

    # when
    mail = email_transport.message(row)

    # then
    html = html_of(mail)
    assert "Nobody can post <invoices>." in mail.body
    assert "Nobody can post &lt;invoices&gt;." in html
    assert "The disk array failed.<br>Failover started." in html
    for text in ("Major incident report", "Fail over to the standby server.", "Follow it live"):
        assert text in mail.body and text in html
    assert "Next report: 2026-11-26 03:00 (UTC)" in mail.body
    assert mail.reply_to == [] and "[ref:" not in mail.subject
    assert mail.extra_headers["References"] == f"<thread.mi-20261126-0001@{DESK}>"


def test_an_address_carrying_a_header_is_refused_and_nothing_goes_out(alice, mailoutbox):
    # given: an address edited into something that is no address
    wang = reader("wang", "en")
    ticket = make_ticket(requester=alice)
    outbox.save_and_dispatch(
        notify.rows_about(
            ticket,
            recipients=[wang],
            kind=TicketNotice.REPLY,
            cause="test:bad-address",
            now=timezone.now(),
        )
    )
    User.objects.filter(pk=wang.pk).update(email="wang@example.com\r\nBcc: evil@example.com")
    row = Notification.objects.get(recipient=wang, channel=NotificationChannel.EMAIL)

    # when
    sent = delivery.send_notification(row.pk)

    # then: not sent, the reason kept for an admin, nobody mailed
    row.refresh_from_db()
    assert sent is False and row.sent_at is None
    assert "no valid e-mail address" in row.last_error
    assert mailoutbox == []
