"""The main journey, clicked through in a real browser, in Chinese and in English.

A requester files a ticket with a screenshot through the form and finds it in
"my tickets"; an engineer accepts it from the queue, diagnoses and resolves it
in the work view; the requester rejects the fix, the engineer resolves again,
and the requester verifies. Each step is checked on what the page shows: the
state badge, the SLA countdown, the timeline and the flash message, all in the
page's language. The expected words come from the translation catalogue
(``translation.override``), never typed here, so a missing or wrong translation
shows up as a mismatch.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from tests.browser.conftest import Session
from tickets.choices import EventKind, Impact, RootCauseType, TicketState, Urgency
from tickets.models import Ticket
from tickets.tests.factories import make_category
from tickets.views.filing import _filed_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"IT-\d{8}-\d{4}")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Words:
    """The interface's words in one language, read from the catalogue."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, text: Any, **params: Any) -> str:
        with translation.override(self.language):
            value = gettext(text) if isinstance(text, str) else str(text)
        return value % params if params else value

    def pattern(self, text: str) -> re.Pattern[str]:
        """A msgid with one ``%s`` as a regex, e.g. ``due in %s`` -> ``due in .+``."""
        return re.compile(re.escape(self(text)).replace("%s", ".+"))

    def filed(self, ticket: Ticket) -> str:
        with translation.override(self.language):
            return _filed_message(ticket)


def flash(page: Page) -> Locator:
    return page.locator("main .alert[role=status]").first


def expect_state(page: Page, words: Words, state: TicketState) -> None:
    expect(page.locator("#ticket-state")).to_have_text(words(state.label))
    expect(page.locator("ol.steps [aria-current=step]")).to_have_text(words(state.label))


def clock_badge(page: Page, index: int) -> Locator:
    """The SLA card's clocks: 0 is the response clock, 1 the resolution clock."""
    return page.locator("#sla [data-clock] .badge").nth(index)


def expect_timeline(page: Page, words: Words, kinds: list[EventKind]) -> None:
    entries = page.locator("#timeline > li")
    expect(entries).to_have_count(len(kinds))
    assert [entries.nth(i).get_attribute("data-kind") for i in range(len(kinds))] == [
        kind.value for kind in kinds
    ]
    for i, kind in enumerate(kinds):
        expect(entries.nth(i).locator("h3")).to_contain_text(words(kind.label))


def switch_language(session: Session, language: str) -> None:
    """Use the header's language button (it offers the language not shown now)."""
    page = session.page
    if page.locator("html").get_attribute("lang") != language:
        page.locator(f"header button[name=language][value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def no_problems(*sessions: Session) -> None:
    found = [f"{s.user.username}: {p}" for s in sessions for p in s.problems()]
    assert found == [], found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_report_fix_reject_fix_verify(open_as: Any, alice: User, bob: User, language: str) -> None:
    w = Words(language)
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    User.objects.filter(pk=bob.pk).update(language=language)
    due_in = w.pattern("due in %s")
    title = "三楼打印机卡纸 / Printer on floor 3 jams"

    # --- the requester files a ticket through the form --------------------------------
    # The browser asks for the other language; the header switch sets the right one.
    requester = open_as(alice, locale="en-US" if language == "zh-hans" else "zh-CN")
    page = requester.page
    switch_language(requester, language)
    assert User.objects.get(pk=alice.pk).language == language
    page.get_by_role("link", name=w("Report a problem")).first.click()
    expect(page.locator("h1")).to_have_text(w("Report a problem"))
    page.get_by_label(w("Summary"), exact=True).fill(title)
    page.get_by_label(w("What happened"), exact=True).fill(
        "每打印一页就卡纸，已经换过纸盒。\nEvery page jams; the tray was already swapped."
    )
    page.get_by_label(w("Device or system, model and version"), exact=True).fill(
        "HP LaserJet M404dn, firmware 002.2135"
    )
    page.get_by_label(w("While doing what"), exact=True).fill("打印 PDF 报表时")
    page.get_by_label(w(Impact.MULTIPLE.label), exact=True).check()
    page.get_by_label(w(Urgency.ABNORMAL.label), exact=True).check()
    page.get_by_label(w("Category"), exact=True).select_option(
        label=category.name_en if language == "en" else category.name
    )
    page.get_by_label(w("Screenshots or logs"), exact=True).set_input_files(
        {"name": "卡纸截图.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name=w("Submit"), exact=True).click()

    page.wait_for_url(re.compile(r"/tickets/IT-\d{8}-\d{4}/$"))
    number = NUMBER.search(page.url).group(0)
    ticket = Ticket.objects.get(number=number)
    assert ticket.requester_id == alice.pk and ticket.attachments.count() == 1
    expect(flash(page)).to_have_text(w.filed(ticket))
    expect(page.locator("h1")).to_have_text(title)
    expect_state(page, w, TicketState.SUBMITTED)
    expect(clock_badge(page, 0)).to_have_text(due_in)
    expect(page.get_by_role("link", name=re.compile("卡纸截图.png"))).to_be_visible()
    expect_timeline(page, w, [EventKind.SUBMITTED, EventKind.ATTACHMENT_ADDED])
    expect(page.locator("#timeline")).to_contain_text("卡纸截图.png")

    page.get_by_role("link", name=w("Filed by me")).first.click()
    card = page.locator(".card", has=page.get_by_role("link", name=number)).last
    expect(card).to_contain_text(title)
    expect(card.locator(".badge").last).to_have_text(w(TicketState.SUBMITTED.label))
    expect(card).to_contain_text(w("Waiting for an engineer"))

    # --- the engineer accepts it from the queue -------------------------------------
    engineer = open_as(bob)
    page = engineer.page
    engineer.goto("/")
    expect(page.locator("h1")).to_have_text(w("Queue"))
    row = page.locator("#queue tbody tr", has=page.get_by_role("link", name=number))
    expect(row).to_contain_text(title)
    expect(row.locator("[data-clock]")).to_have_text(due_in)
    row.get_by_role("button", name=w("Accept"), exact=True).click()

    page.wait_for_url(f"**/tickets/{number}/")
    expect(flash(page)).to_have_text(w("Ticket accepted. The requester has been told."))
    expect_state(page, w, TicketState.ACCEPTED)
    expect(clock_badge(page, 0)).to_have_text(w("responded in time"))
    expect(clock_badge(page, 1)).to_have_text(due_in)
    expect(page.locator("#timeline > li").last).to_contain_text(bob.name)

    # --- diagnose and resolve in the work view --------------------------------------
    panel = page.locator("#work-panel")
    panel.get_by_label(w("Fault type"), exact=True).select_option(
        label=w(RootCauseType.HARDWARE.label)
    )
    panel.get_by_label(w("Impact scope"), exact=True).fill("三楼的共享打印机")
    panel.get_by_label(w("Solution plan"), exact=True).fill("更换定影器组件")
    panel.get_by_role("button", name=w("Record diagnosis")).click()
    expect(flash(page)).to_have_text(w("Diagnosis recorded."))
    expect_state(page, w, TicketState.DIAGNOSED)
    expect(page.locator("main")).to_contain_text("更换定影器组件")

    panel.get_by_label(w("Solution applied"), exact=True).fill("已更换定影器，请再试")
    panel.get_by_role("button", name=w("Mark resolved")).click()
    expect(flash(page)).to_have_text(w("Resolved. The requester is asked to verify."))
    expect_state(page, w, TicketState.RESOLVED)
    expect(clock_badge(page, 1)).to_have_text(w("resolved in time"))
    expect(panel).to_contain_text(
        w("Waiting for the requester to verify. If they confirmed by phone, record it here.")
    )

    # --- the requester says it still fails --------------------------------------------
    page = requester.page
    page.get_by_role("link", name=w("Filed by me")).first.click()
    card = page.locator(".card", has=page.get_by_role("link", name=number)).last
    card.get_by_role("link", name=w("Please verify the fix")).click()
    verify = page.locator("#verify-fix")
    expect(verify).to_contain_text(w("Is the problem fixed?"))
    verify.get_by_label(w("What is still wrong?"), exact=True).fill("还是卡纸，第二页开始")
    verify.get_by_role("button", name=w("No, still broken")).click()
    expect(flash(page)).to_have_text(w("The ticket goes back to the engineer."))
    expect_state(page, w, TicketState.DIAGNOSED)
    rejected = page.locator("#timeline > li[data-kind=fix_rejected]")
    expect(rejected).to_contain_text(w(EventKind.FIX_REJECTED.label))
    expect(rejected).to_contain_text("还是卡纸，第二页开始")
    expect(clock_badge(page, 1)).to_have_text(due_in)

    # --- the engineer resolves again ---------------------------------------------------
    page = engineer.page
    page.reload()
    expect_state(page, w, TicketState.DIAGNOSED)
    panel = page.locator("#work-panel")
    panel.get_by_label(w("Solution applied"), exact=True).fill("更换了搓纸轮，连续打印 50 页正常")
    panel.get_by_role("button", name=w("Mark resolved")).click()
    expect(flash(page)).to_have_text(w("Resolved. The requester is asked to verify."))
    expect_state(page, w, TicketState.RESOLVED)

    # --- the requester verifies ------------------------------------------------------
    page = requester.page
    page.reload()
    verify = page.locator("#verify-fix")
    verify.get_by_label(w("Your confirmation"), exact=True).fill("好了，连续打印正常")
    verify.get_by_role("button", name=w("Yes, it works now")).click()
    expect(flash(page)).to_have_text(w("Thank you: the fix is confirmed."))
    expect_state(page, w, TicketState.VERIFIED)
    expect(clock_badge(page, 1)).to_have_text(w("resolved in time"))
    expect_timeline(
        page,
        w,
        [
            EventKind.SUBMITTED,
            EventKind.ATTACHMENT_ADDED,
            EventKind.ACCEPTED,
            EventKind.DIAGNOSED,
            EventKind.RESOLVED,
            EventKind.FIX_REJECTED,
            EventKind.RESOLVED,
            EventKind.VERIFIED,
        ],
    )
    expect(page.locator("#timeline > li[data-kind=verified]")).to_contain_text("好了，连续打印正常")

    page.get_by_role("link", name=w("Filed by me")).first.click()
    expect(page.get_by_role("heading", name=w("Finished"))).to_be_visible()
    done = page.locator("table tr", has=page.get_by_role("link", name=number))
    expect(done).to_contain_text(title)
    expect(done.locator(".badge")).to_have_text(w(TicketState.VERIFIED.label))

    ticket.refresh_from_db()
    assert ticket.state == TicketState.VERIFIED and ticket.reopen_count == 1
    no_problems(requester, engineer)
