"""Search finds every ticket, clicked through in a real browser, in Chinese and English, at
desktop (1366 × 900) and phone (390 × 844) width.

The defect: the top bar searched inside the queue, which hides closed and verified tickets,
so a closed ticket's partial number found nothing and the page said "no open tickets". Now
the top bar (for everyone signed in, inside the menu on a phone) opens the search page,
which finds the closed ticket by part of its number, for its requester and an engineer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.browser.test_journeys import expect_state, no_problems
from tests.browser.test_reading_and_dispatch import both_languages_and_widths, open_in
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
languages = pytest.mark.parametrize("language", ["zh-hans", "en"])
viewports = pytest.mark.parametrize("viewport", ["desktop", "phone"])


@pytest.fixture
def tickets(alice: User, bob: User) -> dict[str, Ticket]:
    """alice's closed projector ticket (IT-20261120-0001) and an open one of the next day."""
    category = make_category("browser-av", name="会议设备", name_en="Meeting rooms")
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH), tick=False):
        closed = make_ticket_in(
            TicketState.CLOSED,
            requester=alice,
            engineer=bob,
            category=category,
            title="会议室投影仪无信号 / Projector shows no signal",
        )
    with time_machine.travel(dt.datetime(2026, 11, 21, 10, 0, tzinfo=SH), tick=False):
        other = make_ticket(requester=alice, category=category, title="打印机卡纸 / Paper jam")
    assert closed.number == "IT-20261120-0001"
    return {"closed": closed, "other": other}


def search_from_top_bar(page: Page, text: str, *, phone: bool, menu: str) -> None:
    """Type into the top bar's search (on a phone it sits in the collapsed menu)."""
    if phone:
        page.get_by_role("button", name=menu).click()
    box = page.locator("#global-search")
    expect(box).to_be_visible()
    box.fill(text)
    box.press("Enter")
    page.wait_for_url("**/tickets/search/?q=*")


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@both_languages_and_widths
def test_top_bar_finds_a_closed_ticket_by_partial_number(
    open_as: Any,
    tickets: dict[str, Ticket],
    alice: User,
    bob: User,
    language: str,
    viewport: str,
) -> None:
    closed = tickets["closed"]
    for user, start in ((alice, "/tickets/mine/"), (bob, "/tickets/queue/")):
        # given
        session, words = open_in(open_as, user, language, viewport)
        page = session.goto(start)

        # when
        search_from_top_bar(page, "1120-0001", phone=viewport == "phone", menu=words("Menu"))

        # then: one result, the closed ticket, with its state in words
        rows = page.locator("#search-results tbody tr")
        expect(rows).to_have_count(1)
        link = rows.first.get_by_role("link", name=closed.number)
        expect(link).to_be_visible()
        expect(rows.first.locator(".badge")).to_have_text(words(TicketState.CLOSED.label))
        expect(page.locator("#search-summary")).to_contain_text("1120-0001")
        assert fits_the_width(page), f"{user.username}: the results overflow at {viewport}"
        link.click()
        page.wait_for_url(f"**/tickets/{closed.number}/")
        expect_state(page, words, TicketState.CLOSED)
        no_problems(session)


@both_languages_and_widths
def test_words_find_tickets_and_nothing_says_so(
    open_as: Any, tickets: dict[str, Ticket], alice: User, language: str, viewport: str
) -> None:
    # given
    session, words = open_in(open_as, alice, language, viewport)
    page = session.goto("/tickets/search/")
    expect(page.locator("#search-start")).to_be_visible()

    # when: a Chinese word inside the closed ticket's title
    page.locator("#id_q").fill("投影")
    page.locator("#search-form button[type=submit]").click()

    # then
    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(tickets["closed"].number)

    # when: a closed-only filter and a word of the open ticket
    page.locator("#id_q").fill("打印机")
    page.locator("#id_state").select_option("closed")
    page.locator("#search-form button[type=submit]").click()

    # then: a clear empty state, not the queue's "all fine"
    empty = page.locator("#search-empty")
    expect(empty).to_contain_text(words("No ticket matches “%(q)s”.", q="打印机"))
    expect(empty.get_by_role("link", name=words("Search without filters"))).to_be_visible()
    assert fits_the_width(page)
    no_problems(session)
