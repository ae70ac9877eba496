"""Every digest's text names how many items it folded, in the reader's language and its
plural forms: a kind's own wording ("37 tickets breached their response time") or, for a
kind without one, the generic "37 notifications in 10 minutes"."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from notifications import digests, kinds
from notifications.choices import DigestScope
from tickets.choices import TicketNotice

NUMBERS = [f"IT-{i}" for i in range(1, 10)]


def words(count: int, *, scope: str = DigestScope.ALL, kind: str = "", language: str = "en"):
    with translation.override(language):
        return digests.summary(count, NUMBERS[:count], scope=scope, minutes=10, kind=kind)


@pytest.mark.parametrize(
    ("count", "kind", "scope", "expected"),
    [
        (1, TicketNotice.REPLY, DigestScope.ALL, "1 notification in 10 minutes: IT-1"),
        (2, TicketNotice.REPLY, DigestScope.APP, "2 notifications in 10 minutes: IT-1, IT-2"),
        (1, TicketNotice.REPLY, DigestScope.OUTSIDE, "1 notification during your quiet hours"),
        (3, TicketNotice.REPLY, DigestScope.OUTSIDE, "3 notifications during your quiet hours"),
        (1, TicketNotice.RESPONSE_BREACH, DigestScope.ALL, "1 ticket breached its response"),
        (4, TicketNotice.RESPONSE_BREACH, DigestScope.ALL, "4 tickets breached their response"),
        (2, TicketNotice.RESOLUTION_BREACH, DigestScope.ALL, "2 tickets breached their resol"),
        (2, TicketNotice.RESPONSE_WARNING, DigestScope.ALL, "2 tickets are due for a response"),
        (1, TicketNotice.RESOLUTION_WARNING, DigestScope.ALL, "1 ticket is due for resolution"),
        (
            2,
            TicketNotice.RESPONSE_BREACH,
            DigestScope.OUTSIDE,
            "2 tickets breached their response time during your quiet hours: IT-1, IT-2",
        ),
    ],
    ids=lambda value: str(value).replace(" ", "-"),
)
def test_the_text_names_its_count_in_the_right_plural_form(count, kind, scope, expected):
    assert words(count, kind=kind, scope=scope).startswith(expected)


def test_past_the_numbers_shown_it_says_how_many_more():
    text = words(9, kind=TicketNotice.REPLY)
    assert text.startswith("9 notifications in 10 minutes: IT-1, IT-2")
    assert text.endswith(f"IT-{digests.NUMBERS_SHOWN} and {9 - digests.NUMBERS_SHOWN} more")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (TicketNotice.REPLY, "10 分钟内 5 条通知：IT-1"),
        (TicketNotice.RESPONSE_BREACH, "5 张工单响应已超时：IT-1"),
        (TicketNotice.RESOLUTION_BREACH, "5 张工单解决已超时：IT-1"),
    ],
    ids=["generic", "response-breach", "resolution-breach"],
)
def test_it_reads_in_chinese(kind, expected):
    assert words(5, kind=kind, language="zh-hans").startswith(expected)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("scope", [DigestScope.ALL, DigestScope.APP, DigestScope.OUTSIDE])
@pytest.mark.parametrize("count", [1, 2, 9, 1234])
def test_every_kind_and_scope_names_the_count(language, scope, count):
    for member in kinds.registered():
        text = words(count, kind=member.value, scope=scope, language=language)
        head = re.split("[:：]", text)[0]
        assert str(count) in re.findall(r"\d+", head), (member.value, text)
