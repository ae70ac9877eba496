"""Reading mail as it really comes: mislabelled Chinese charsets, HTML with scripts in it,
quoted history, attachments of every kind, broken structure — and telling a person's
mail from a machine's."""

from __future__ import annotations

import pytest

from channels.email import decode, html, loops, ours, quotes
from channels.email.intake import subject_title
from channels.email.parse import Malformed, parse
from notifications.email.headers import message_id as notification_message_id

from .mail import DESK, eml

# --- charsets and headers -------------------------------------------------------------------


def test_a_gb2312_label_on_gbk_text_is_read_as_gbk():
    assert decode.header_text("=?gb2312?B?zfWGtA==?=") == "王喆"
    assert decode.text_of("王喆".encode("gbk"), "gb2312") == "王喆"


def test_raw_8bit_headers_in_gbk_or_utf8_are_read():
    # given: headers as the parser keeps raw bytes (surrogate escapes)
    gbk = "王喆 <a@example.com>".encode("gbk").decode("ascii", "surrogateescape")
    utf8 = "王喆 <a@example.com>".encode().decode("ascii", "surrogateescape")

    # then
    assert decode.header_text(gbk) == "王喆 <a@example.com>"
    assert decode.header_text(utf8) == "王喆 <a@example.com>"


def test_unknown_or_lying_charsets_never_fail_and_leave_nothing_postgresql_refuses():
    assert decode.text_of("打印机".encode(), "x-klingon") == "打印机"
    assert decode.text_of(b"\xff\xfe\x00bad", "utf-8") == "\ufffd\ufffdbad"
    assert decode.header_text("=?x-unknown?Q?caf=E9?= ok") == "caf\ufffd ok"


def test_rfc2047_words_and_plain_words_keep_their_spaces():
    assert decode.header_text("Re: =?UTF-8?B?5omT5Y2w5py6?= jams") == "Re: 打印机 jams"


# --- the body -------------------------------------------------------------------------------


def test_html_loses_everything_executable_and_keeps_its_text():
    # when
    text = html.to_text(
        "<head><title>T</title><style>p{}</style><script>steal()</script></head>"
        '<body onload="go()"><p>VPN <b>down</b></p><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">log</a><svg><script>alert(3)</script></svg>'
        "<iframe src='https://evil.example/'></iframe><p>&lt;b&gt; is text</p></body>"
    )

    # then
    assert text == "VPN down\n\nlog\n\n<b> is text"


def test_html_quotes_become_quoted_lines_and_lists_dashes():
    text = html.to_text(
        "<div>Still broken<br>after restart</div><ul><li>one</li><li>two</li></ul>"
        "<blockquote><div>Bob wrote:</div><p>please restart</p></blockquote>"
    )

    assert text == "Still broken\nafter restart\n\n- one\n- two\n\n> Bob wrote:\n\n> please restart"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Done.\n\nOn Mon, 23 Nov 2026 at 10:00, Desk <d@example.com> wrote:\n> old", "Done."),
        ("Done.\n\nOn Mon, 23 Nov 2026 at 10:00, Desk <d@example.com>\nwrote:\n> old", "Done."),
        ("好了\n\n-----原始邮件-----\n发件人: IT\n", "好了"),
        ("好了\n\n------------------ 原始邮件 ------------------\n发件人: IT", "好了"),
        ("ok\n\n-----Original Message-----\nFrom: IT\n", "ok"),
        ("好了\n\n发件人: IT\n发送时间: 2026年11月23日\n收件人: 张三\n主题: x\n\nold", "好了"),
        ("ok\n____________________\nFrom: IT <d@example.com>\nSent: Monday\nSubject: y", "ok"),
        ("好\n\n张三 <a@example.com> 于2026年11月23日周一 10:00写道：\n> x", "好"),
        ('好\n\n在 2026-11-23 10:00:00，"张三" <a@example.com> 写道：\n> x', "好"),
        ("yes\n> inline quote\nand more", "yes\nand more"),
        ("fixed\n\n-- \nAlice\nFinance", "fixed"),
        ("已解决\n\n发自我的iPhone", "已解决"),
        (
            "他写道：打印机坏了\nFrom: the start of the week",
            "他写道：打印机坏了\nFrom: the start of the week",
        ),
        ("> only the quote", ""),
    ],
)
def test_a_reply_keeps_its_own_words_only(reply, expected):
    assert quotes.new_text(reply) == expected


def test_a_plain_body_is_preferred_to_its_html_twin():
    mail = parse(
        b"From: a@example.com\nMessage-ID: <1@x>\nContent-Type: multipart/alternative; "
        b'boundary="b"\n\n--b\nContent-Type: text/plain\n\nplain words\n--b\n'
        b"Content-Type: text/html\n\n<p>html words</p>\n--b--\n"
    )

    assert (mail.text.strip(), mail.from_html, mail.attachments) == ("plain words", False, ())


def test_apple_mails_text_around_an_inline_picture_is_one_body():
    mail = parse(
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nBefore the picture\n"
        b"--b\nContent-Type: image/png\nContent-Disposition: inline\n"
        b"Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        b"--b\nContent-Type: text/plain\n\nafter it\n--b--\n"
    )

    assert mail.text == "Before the picture\n\nafter it"
    assert [(part.name, part.content_type) for part in mail.attachments] == [
        ("image-1.png", "image/png")
    ]


def test_a_forwarded_message_is_one_eml_attachment():
    mail = parse(
        b"From: a@example.com\nSubject: Fwd: error\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nsee attached\n"
        b"--b\nContent-Type: message/rfc822\n\n"
        b"From: erp@example.com\nSubject: Job 42 failed\nContent-Type: multipart/mixed; boundary=c"
        b"\n\n--c\nContent-Type: text/plain\n\ntraceback\n--c\n"
        b"Content-Type: text/csv; name=rows.csv\n\na,b\n--c--\n--b--\n"
    )

    assert [part.name for part in mail.attachments] == ["Job 42 failed.eml"]
    assert b"traceback" in mail.attachments[0].content


def test_the_gbk_fixture_reads_its_name_subject_body_and_file_name():
    mail = parse(eml("chinese_gbk.eml"))

    assert (mail.sender, mail.sender_name) == ("alice@example.com", "王喆")
    assert mail.subject == "邮箱登不上，王喆的电脑"
    assert mail.text.startswith("早上开始 Foxmail 一直提示密码错误")
    assert [part.name for part in mail.attachments] == ["错误截图.png"]


def test_the_recipients_include_the_envelopes_headers():
    mail = parse(eml("reply_plus_address.eml", token="1-2-abc", number="IT-1"))

    assert mail.recipients == (
        "IT Service Desk <servicedesk+1-2-abc@example.com>",
        "servicedesk+1-2-abc@example.com",
        "servicedesk+1-2-abc@example.com",
    )
    assert mail.in_reply_to == "170000000000.4242.1234567890123456789.n7@example.com"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"no headers at all, just words",
        b"From: nobody\n\nan address without a domain",
        eml("malformed_binary.eml"),
        eml("malformed_no_from.eml"),
    ],
)
def test_what_is_no_message_is_malformed(raw):
    with pytest.raises(Malformed):
        parse(raw)


def test_a_broken_structure_is_read_as_far_as_it_goes():
    mail = parse(eml("malformed_mime.eml"))

    assert mail.sender == "alice@example.com"
    assert "\x00" not in mail.text


def test_a_subject_becomes_a_title_without_the_desks_decorations():
    subject = "回复: RE: Fwd: [IT-20261123-0001] Printer\u2028jams [ref:1-2-aaaaaaaaaaaaaaaaaaaa]"
    assert subject_title(subject) == "Printer jams"
    assert subject_title("x" * 300) == "x" * 199 + "…"


# --- machines and ourselves -------------------------------------------------------------------


def _person(headers: str = "", sender: str = "alice@example.com", subject: str = "Printer") -> str:
    raw = f"From: {sender}\nSubject: {subject}\nMessage-ID: <p1@mail.example.com>\n{headers}\n\nhi"
    return loops.why_ignored(parse(raw.encode()))


@pytest.fixture
def _desk_address(settings):
    settings.DEFAULT_FROM_EMAIL = DESK


@pytest.mark.usefixtures("_desk_address")
@pytest.mark.parametrize(
    "headers",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-notified; owner-email=x@example.com",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "X-Autoreply: yes",
        "X-Autorespond: on",
        "X-Auto-Response-Suppress: All",
        "X-Auto-Response-Suppress: DR, OOF",
        "Return-Path: <>",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b",
        "X-Loop: servicedesk@example.com",
    ],
)
def test_a_machines_headers_are_recognised(headers):
    assert _person(headers) != ""


@pytest.mark.usefixtures("_desk_address")
@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.com",
        "postmaster@example.com",
        "no-reply@vendor.example",
        "noreply@vendor.example",
        "do-not-reply@vendor.example",
        "bounces+123@lists.example",
        "servicedesk@example.com",
        "ServiceDesk+1-2-abc@Example.com",
    ],
)
def test_machine_senders_and_the_desk_itself_are_recognised(sender):
    assert _person(sender=sender) != ""


@pytest.mark.usefixtures("_desk_address")
@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: Printer", "自动回复：打印机", "Undeliverable: Printer", "系统退信"],
)
def test_auto_reply_subjects_are_recognised(subject):
    assert _person(subject=subject) != ""


@pytest.mark.usefixtures("_desk_address")
@pytest.mark.parametrize(
    "headers",
    [
        "",
        "Auto-Submitted: no",
        "X-Auto-Response-Suppress: DR, RN, NRN",
        "Precedence: first-class",
        "Return-Path: <alice@example.com>",
    ],
)
def test_a_persons_mail_is_not_taken_for_a_machines(headers):
    assert _person(headers) == ""


@pytest.mark.usefixtures("_desk_address")
def test_the_desks_message_ids_are_its_own_and_a_persons_on_its_domain_are_not():
    # the notifications' (notifications.email.headers) and the answers' own
    assert ours.is_own_message_id(notification_message_id(42))
    assert ours.is_own_message_id(ours.new_message_id())
    # Foxmail's, Thunderbird's and Apple Mail's, named after the sender's domain
    assert not ours.is_own_message_id("<202611230912443216570@example.com>")
    assert not ours.is_own_message_id("<8f2d1c3a-5b6e-4f70-9a81-2b3c4d5e6f70@example.com>")
    assert not ours.is_own_message_id("<170000000000.4242.12345@mail.example.net>")
