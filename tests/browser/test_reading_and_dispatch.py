"""Two fixed defects, clicked through in a real browser, in Chinese and English, at desktop
(1366 × 900) and phone (390 × 844) width.

* Notifications clear one by one: an engineer told about two tickets sees the bell at 2;
  opening one ticket from the queue leaves 1, opening the other clears the bell.
* Tech leads dispatch: on a submitted ticket's page a tech lead opens "Dispatch" under
  "More actions", picks an engineer and gives a reason; the ticket stays submitted, shows
  the engineer as its handler and the reason in the timeline, and the engineer's bell
  counts the news.

The tickets are filed through ``tickets.tests.factories`` (the services the pages use);
the expected words come from the translation catalogue, as in ``test_journeys``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from accounts.models import User
from notifications.models import Notification
from tests.browser.conftest import Session
from tests.browser.test_journeys import Words, expect_state, flash, no_problems
from tickets.choices import EventKind, Impact, TicketNotice, TicketState, Urgency
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["zh-hans", "en"]
BROWSER_LOCALE = {"zh-hans": "zh-CN", "en": "en-US"}
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}
REASON = "三楼打印机归 Bob 负责 / Bob looks after the floor 3 printers"

languages = pytest.mark.parametrize("language", LANGUAGES)
viewports = pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))

# A journey runs in both languages and at both widths, in two runs rather than four: half
# the journeys pair Chinese with the desktop and English with the phone, the other half the
# other way round (by a stable hash of the test's name), so every pairing is walked somewhere
# in the suite at half the cost of walking each journey four times.
PAIRINGS = (
    (("desktop", "zh-hans"), ("phone", "en")),
    (("phone", "zh-hans"), ("desktop", "en")),
)


def both_languages_and_widths(test: Callable[..., None]) -> Callable[..., None]:
    """``@languages @viewports`` at half the runs: each language once, each width once."""
    pairs = PAIRINGS[zlib.crc32(f"{test.__module__}.{test.__qualname__}".encode()) % 2]
    return pytest.mark.parametrize(
        ("viewport", "language"), pairs, ids=[f"{v}-{lang}" for v, lang in pairs]
    )(test)


def open_in(open_as: Any, user: User, language: str, viewport: str) -> tuple[Session, Words]:
    """Sign ``user`` in with ``language`` as their setting and the browser's, at ``viewport``."""
    User.objects.filter(pk=user.pk).update(language=language)
    session = open_as(user, locale=BROWSER_LOCALE[language])
    width, height = VIEWPORTS[viewport]
    session.page.set_viewport_size({"width": width, "height": height})
    return session, Words(language)


def unread(user: User) -> int:
    return Notification.objects.filter(
        recipient=user, channel="in_app", read_at__isnull=True
    ).count()


def expect_bell(session: Session, words: Words, count: int) -> None:
    """The top bar's bell shows ``count`` unread (no badge at all when 0), visibly."""
    page = session.page
    bell = page.locator("header").get_by_role("link", name=words("Notifications"))
    expect(bell).to_be_visible()
    badge = page.locator("header #unread-count")
    if count:
        expect(bell).to_have_accessible_name(f"{words('Notifications')} ({count})")
        expect(badge).to_be_visible()
        expect(badge).to_have_text(str(count))
    else:
        expect(bell).to_have_accessible_name(words("Notifications"))
        expect(badge).to_have_count(0)


def handled_by(session: Session, words: Words) -> Locator:
    """The "Handled by" value in the ticket page's People card."""
    term = session.page.locator("dt", has_text=words("Handled by"))
    return term.locator("xpath=following-sibling::dd[1]")


# --- (1) opening a ticket reads what its viewer was told about it ---------------------


@both_languages_and_widths
def test_opening_a_ticket_clears_its_notifications_from_the_bell(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: two high-priority tickets, each told to bob (the engineer) in the app
    category = make_category("browser-network", name="网络", name_en="Network")
    first = make_ticket(
        requester=alice, title="核心交换机宕机 / Core switch down", category=category, **HIGH
    )
    second = make_ticket(
        requester=alice, title="邮件服务器宕机 / Mail server down", category=category, **HIGH
    )
    for ticket in (first, second):
        assert Notification.objects.filter(
            recipient=bob, channel="in_app", link=ticket_link(ticket), read_at__isnull=True
        ).exists()
    assert unread(bob) == 2
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page

    # when: bob opens the queue, then the first ticket from it
    engineer.goto("/")
    expect(page.locator("h1")).to_have_text(w("Queue"))
    expect_bell(engineer, w, 2)
    page.locator("#queue").get_by_role("link", name=first.number).click()
    page.wait_for_url(f"**/tickets/{first.number}/")

    # then: the ticket page's own bell already counts one fewer, and so does the next page
    expect(page.locator("h1")).to_have_text(first.title)
    expect_bell(engineer, w, 1)
    assert unread(bob) == 1
    engineer.goto("/")
    expect_bell(engineer, w, 1)

    # when: he opens the other one, the bell disappears
    page.locator("#queue").get_by_role("link", name=second.number).click()
    page.wait_for_url(f"**/tickets/{second.number}/")
    expect_bell(engineer, w, 0)
    assert unread(bob) == 0
    no_problems(engineer)


# --- (2) a tech lead dispatches a submitted ticket ------------------------------------


@both_languages_and_widths
def test_tech_lead_dispatches_a_submitted_ticket_and_the_engineer_is_told(
    open_as: Any,
    alice: User,
    bob: User,
    erin: User,
    tom: User,
    language: str,
    viewport: str,
) -> None:
    # given: a submitted, unassigned ticket (normal priority: no engineer told yet)
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    ticket = make_ticket(
        requester=alice, title="三楼打印机卡纸 / Printer on floor 3 jams", category=category
    )
    told_before = unread(bob)
    lead, w = open_in(open_as, tom, language, viewport)
    page = lead.page

    # when: the tech lead opens "Dispatch" under "More actions" and sends it to bob
    lead.goto(ticket_link(ticket))
    expect_state(page, w, TicketState.SUBMITTED)
    expect(handled_by(lead, w)).to_have_text(w("Waiting for an engineer"))
    more = page.locator(".card", has=page.get_by_role("heading", name=w("More actions")))
    dispatch = more.locator("details", has=page.locator("summary", has_text=w("Dispatch")))
    summary = dispatch.locator("summary")
    summary.scroll_into_view_if_needed()
    expect(summary).to_be_visible()
    summary.click()
    expect(dispatch).to_have_attribute("open", "")
    engineer_field = dispatch.get_by_label(w("Engineer"), exact=True)
    reason_field = dispatch.get_by_label(w("Reason"), exact=True)
    submit = dispatch.get_by_role("button", name=w("Dispatch"), exact=True)
    # Usable on a phone: every control is in the viewport's width once scrolled to.
    width = VIEWPORTS[viewport][0]
    for control in (engineer_field, reason_field, submit):
        control.scroll_into_view_if_needed()
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    engineer_field.select_option(label=bob.name)
    reason_field.fill(REASON)
    submit.click()

    # then: still submitted, bob is the handler, the reason is in the timeline
    page.wait_for_url(f"**/tickets/{ticket.number}/")
    expect(flash(page)).to_have_text(w("Ticket assigned."))
    expect_state(page, w, TicketState.SUBMITTED)
    expect(handled_by(lead, w)).to_have_text(bob.name)
    assigned = page.locator("#timeline > li[data-kind=assigned]")
    expect(assigned).to_have_count(1)
    expect(assigned.locator("h3")).to_contain_text(w(EventKind.ASSIGNED.label))
    expect(assigned).to_contain_text(f"{w('Reason')}: {REASON}")
    expect(assigned).to_contain_text(f"{w('Assignee')}: {bob.name}")
    ticket.refresh_from_db()
    assert ticket.state == TicketState.SUBMITTED and ticket.assignee_id == bob.pk
    assert Notification.objects.filter(recipient=erin, kind=TicketNotice.ASSIGNED).count() == 0

    # then: bob's bell counts the news, and the inbox lists it
    assert (
        Notification.objects.filter(
            recipient=bob, channel="in_app", kind=TicketNotice.ASSIGNED, link=ticket_link(ticket)
        ).count()
        == 1
    )
    engineer, _ = open_in(open_as, bob, language, viewport)
    engineer.goto("/")
    expect_bell(engineer, w, told_before + 1)
    engineer.page.locator("header").get_by_role("link", name=w("Notifications")).click()
    engineer.page.wait_for_url("**/notifications/")
    news = engineer.page.locator("main").get_by_role("button", name=ticket.number)
    expect(news).to_have_count(1)
    expect(news).to_contain_text(w(TicketNotice.ASSIGNED.label))
    expect(news).to_contain_text(w("new"))
    no_problems(lead, engineer)
