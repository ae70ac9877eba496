"""Reply tokens: a genuine token names its ticket and person wherever it travels (reply
address, subject, case folded by a mail server); anything else is refused."""

from __future__ import annotations

import re

import pytest

from notifications import reply_tokens
from notifications.reply_tokens import ReplyToken


@pytest.fixture(autouse=True)
def _desk_address(settings):
    settings.DEFAULT_FROM_EMAIL = "IT 服务台 <desk@corp.example.cn>"


def test_a_token_round_trips_through_the_address_and_the_subject():
    token = reply_tokens.make(4711, 42)

    by_address = reply_tokens.read(reply_tokens.reply_address(token))
    by_subject = reply_tokens.read(
        f"Re: [IT-20261126-0042] 新回复 {reply_tokens.subject_tag(token)}"
    )

    assert by_address == by_subject == ReplyToken(ticket_id=4711, user_id=42)


def test_the_address_is_the_desks_mailbox_with_the_token_as_its_detail():
    token = reply_tokens.make(4711, 42)

    address = reply_tokens.reply_address(token)

    assert address == f"desk+{token}@corp.example.cn"
    assert reply_tokens.subject_tag(token) == f"[ref:{token}]"


def test_a_token_is_a_short_lower_case_local_part_even_for_the_largest_ids():
    token = reply_tokens.make(999_999_999_999, 999_999_999_999)
    local = reply_tokens.reply_address(token).partition("@")[0]

    assert re.fullmatch(r"[a-z0-9-]+", token)
    assert len(local) <= 64
    assert reply_tokens.read(f"desk+{token}@corp.example.cn") == ReplyToken(
        999_999_999_999, 999_999_999_999
    )


def test_case_folded_by_a_mail_server_still_reads():
    address = reply_tokens.reply_address(reply_tokens.make(12, 34))

    assert reply_tokens.read(address.upper()) == ReplyToken(12, 34)
    assert reply_tokens.read(f"RE: [REF:{reply_tokens.make(12, 34).upper()}]") == ReplyToken(12, 34)


def test_a_wrong_mac_is_refused():
    ticket, user, mac = reply_tokens.make(12, 34).split("-")
    other = "b" if mac[-1] != "b" else "c"

    assert reply_tokens.read(f"desk+{ticket}-{user}-{mac[:-1]}{other}@corp.example.cn") is None
    assert reply_tokens.read(f"desk+{ticket}-{user}@corp.example.cn") is None


def test_swapped_or_changed_ids_are_refused():
    ticket, user, mac = reply_tokens.make(12, 34).split("-")

    assert reply_tokens.read(f"[ref:{user}-{ticket}-{mac}]") is None
    assert reply_tokens.read(f"[ref:13-{user}-{mac}]") is None
    assert reply_tokens.read(f"[ref:{ticket}-35-{mac}]") is None


def test_ids_have_one_spelling_only():
    ticket, user, mac = reply_tokens.make(12, 34).split("-")

    assert reply_tokens.read(f"[ref:0{ticket}-{user}-{mac}]") is None
    assert reply_tokens.read(f"[ref:١٢-{user}-{mac}]") is None  # Arabic-Indic digits


def test_a_token_made_under_another_secret_key_is_refused(settings):
    token = reply_tokens.make(12, 34)

    settings.SECRET_KEY = "another-desk-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"

    assert reply_tokens.read(reply_tokens.subject_tag(token)) is None


def test_the_first_genuine_token_wins_and_forgeries_before_it_are_skipped():
    genuine = reply_tokens.make(12, 34)
    forged = f"12-99-{'a' * 20}"

    found = reply_tokens.read(
        "",
        f"desk+{forged}@corp.example.cn",
        f"Re: hello [ref:{genuine}] [ref:{reply_tokens.make(56, 78)}]",
    )

    assert found == ReplyToken(12, 34)
    assert reply_tokens.read("Re: [IT-20261126-0042] no token here", "desk@corp.example.cn") is None
