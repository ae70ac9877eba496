"""Two everyday tools, clicked through in a real browser, in Chinese and English, at desktop
(1366 × 900) and phone (390 × 844) width.

* Canned replies: an engineer picks a shared canned reply in the reply form with the
  keyboard, inserts it (the requester's name and the ticket number filled in), and sends
  it; the requester's name is in the timeline.
* Followers (CC): a requester adds a colleague from her department under "Followers"; the
  engineer's public reply reaches the colleague's inbox, she opens it and reads the reply on
  the ticket page, never the internal note.

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import Department, Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets import services
from tickets.choices import EventKind, TicketNotice, TicketState
from tickets.models import Message, Watcher
from tickets.notify import ticket_link
from tickets.services import canned
from tickets.tests.factories import make_category, make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREETING = (
    "您好 {requester_name}，工单 {ticket_number} 已受理。Hello {requester_name} — {engineer_name}"
)
NOTE = "内部：供应商合同 4711 已过期 / vendor contract expired"


def within_width(page: Page, selector: str, width: int) -> None:
    """The control is visible and fits the viewport's width once scrolled to."""
    fits_width(page.locator(selector), width)


def fits_width(control: Locator, width: int) -> None:
    """The control is visible and fits ``width`` once scrolled to."""
    expect(control).to_be_visible()
    # found, scrolled to and measured in one step in the page: a part a poll swaps in (live
    # progress) may be replaced between two of Playwright's calls
    box = control.evaluate(
        """(control) => {
            control.scrollIntoView({block: "nearest", inline: "nearest"});
            const r = control.getBoundingClientRect();
            return {x: r.x, width: r.width, height: r.height};
        }"""
    )
    assert box is not None and box["height"] > 0, (control, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


@both_languages_and_widths
def test_engineer_inserts_a_canned_reply_with_the_requesters_name_and_sends_it(
    open_as: Any, alice: User, bob: User, tom: User, language: str, viewport: str
) -> None:
    # given: bob works alice's ticket; tom (tech lead) shared a greeting
    User.objects.filter(pk=alice.pk).update(display_name="王丽")
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob, category=category)
    reply = canned.create_canned_reply(
        actor=tom, title="受理问候 / Greeting", body=GREETING, shared=True
    )
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page
    engineer.goto(ticket_link(ticket))
    width = VIEWPORTS[viewport][0]

    # when: he chooses the reply with the keyboard and inserts it
    for selector in ("#canned-select", "#canned-insert", "#reply_body"):
        within_width(page, selector, width)
    expect(page.get_by_label(w("Insert a canned reply"), exact=True)).to_be_visible()
    page.locator("#canned-select").focus()
    page.locator("#canned-select").select_option(label=reply.title)
    page.keyboard.press("Tab")
    expect(page.locator("#canned-insert")).to_be_focused()
    page.keyboard.press("Enter")

    # then: the box holds the filled text, the focus is there, the status says so
    expected = f"您好 王丽，工单 {ticket.number} 已受理。Hello 王丽 — {bob.name}"
    box = page.locator("#reply_body")
    expect(box).to_have_value(expected)
    expect(box).to_be_focused()
    expect(page.locator("#canned-status")).to_have_text(
        w("Inserted; edit it before sending if needed.")
    )

    # when: he sends it
    page.locator("#reply").get_by_role("button", name=w("Send")).click()

    # then: the message is on the timeline, with the name filled in, and stored as sent
    page.wait_for_url(f"**/tickets/{ticket.number}/")
    expect(flash(page)).to_have_text(w("Message added."))
    replied = page.locator("#timeline > li[data-kind=replied]")
    expect(replied).to_have_count(1)
    expect(replied).to_contain_text(expected)
    assert Message.objects.get(ticket=ticket).body == expected
    no_problems(engineer)


@both_languages_and_widths
def test_requester_adds_a_colleague_who_reads_the_reply_from_her_inbox(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: alice and grace work in Finance; bob has alice's ticket, with an internal note
    finance = Department.objects.create(
        name="财务部", site=Site.objects.create(code="sh", name="上海总部")
    )
    User.objects.filter(pk=alice.pk).update(department=finance, display_name="王丽")
    grace = make_user("grace", Role.REQUESTER, department=finance, display_name="吴佳 Grace")
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob, category=category)
    services.add_message(ticket.pk, actor=bob, body=NOTE, internal=True)
    requester, w = open_in(open_as, alice, language, viewport)
    page = requester.page
    requester.goto(ticket_link(ticket))
    width = VIEWPORTS[viewport][0]

    # when: she opens "Add a follower", picks her colleague and adds her
    panel = page.locator("#watchers")
    expect(panel.get_by_role("heading", name=w("Followers"))).to_be_visible()
    summary = panel.locator("summary", has_text=w("Add a follower"))
    summary.scroll_into_view_if_needed()
    summary.click()
    field = panel.get_by_label(w("Colleague"), exact=True)
    within_width(page, "#watcher_user", width)
    expect(page.locator("#watcher-options option[value=grace]")).to_have_count(1)
    field.fill("grace")
    panel.get_by_role("button", name=w("Add follower")).click()

    # then: grace is listed, the timeline says so
    page.wait_for_url(f"**/tickets/{ticket.number}/")
    expect(flash(page)).to_have_text(
        w("Follower added: they will hear about the ticket's public updates.")
    )
    expect(page.locator("#watcher-list li[data-username=grace]")).to_contain_text(grace.name)
    added = page.locator("#timeline > li[data-kind=watcher_added]")
    expect(added).to_have_count(1)
    expect(added).to_contain_text(grace.name)
    assert Watcher.objects.filter(ticket=ticket, user=grace).exists()

    # when: bob answers in public
    reply = "已更换硒鼓，请再试一次。/ Replaced the toner, please try again."
    services.add_message(ticket.pk, actor=bob, body=reply)

    # then: grace finds it in her inbox and opens it
    colleague, _ = open_in(open_as, grace, language, viewport)
    cpage = colleague.page
    colleague.goto("/notifications/")
    # (the group's own button, not its "More for …" menu, which carries no text)
    news = (
        cpage.locator("main")
        .get_by_role("button", name=w(TicketNotice.REPLY.label))
        .filter(has_text=ticket.number)
    )
    expect(news).to_have_count(1)
    expect(news).to_contain_text(ticket.number)
    news.click()
    cpage.wait_for_url(f"**/tickets/{ticket.number}/")
    replied = cpage.locator("#timeline > li[data-kind=replied]")
    expect(replied).to_contain_text(reply)
    expect(cpage.locator("main")).not_to_contain_text(NOTE)
    expect(cpage.locator("#timeline > li[data-kind=note_added]")).to_have_count(0)
    expect(cpage.locator("#reply")).to_have_count(0)  # following is reading
    expect(cpage.locator("#unfollow")).to_be_visible()
    assert EventKind.WATCHER_ADDED in set(ticket.events.values_list("kind", flat=True))
    no_problems(requester, colleague)
