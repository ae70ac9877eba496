"""The queue in a real browser, in Chinese and English, at desktop (1366 × 900) and phone
(390 × 844) width.

* Layout: the Accept button of the first rows is on screen, not cut off, and accepts; a
  200-character title (the longest allowed) is clamped to two lines, the whole title on hover.
* Bulk actions: a tech lead ticks several tickets and assigns them to an engineer in one
  action, with one reason; each ticket is assigned and says so in its timeline.
* Saved views: an engineer filters the queue, saves the filters as a tab, and the tab is there,
  lit, with its count.

The expected words come from the translation catalogue, as in ``test_journeys``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.browser.test_journeys import expect_state, flash, no_problems
from tests.browser.test_reading_and_dispatch import both_languages_and_widths, open_in
from tickets.choices import EventKind, Impact, Priority, TicketState, Urgency
from tickets.models import SavedView, Ticket, TicketEvent
from tickets.tests.factories import make_category, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = ("三楼打印机卡纸并显示错误代码 E-1234，重启和更换纸盒后仍然出现 / Printer jams. " * 5)[
    :200
]
HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}


def file_tickets(alice: User, count: int) -> list[Ticket]:
    """``count`` submitted tickets, the first with the longest title allowed (it sorts first:
    the same priority, filed first, nearest deadline)."""
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    assert len(LONG_TITLE) == Ticket._meta.get_field("title").max_length
    titles = [LONG_TITLE] + [f"打印机 {i} 号卡纸 / Printer {i} jams" for i in range(1, count)]
    return [make_ticket(requester=alice, title=title, category=category) for title in titles]


def expect_on_screen(page: Page, selector: str) -> None:
    """Every match is inside the viewport horizontally (not cut off) and can take a click."""
    width = page.viewport_size["width"]
    for box in page.locator(selector).all():
        expect(box).to_be_visible()
        expect(box).to_be_in_viewport()
        rect = box.bounding_box()
        assert rect is not None and rect["x"] >= 0 and rect["x"] + rect["width"] <= width, rect


@both_languages_and_widths
def test_accept_is_on_screen_in_the_first_rows_and_long_titles_take_two_lines(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: three submitted tickets, the first with a 200-character title
    tickets = file_tickets(alice, 3)
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page

    # when
    engineer.goto("/tickets/queue/")

    # then: the first rows show their number, SLA, priority, state and Accept, on screen
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(3)
    for index in range(2):
        row = rows.nth(index)
        for cell in (".q-number", ".q-title", ".q-sla [data-clock]", ".q-prio", ".q-state"):
            expect(row.locator(cell)).to_be_visible()
        expect(row.get_by_role("button", name=w("Accept"), exact=True)).to_be_in_viewport()
    expect_on_screen(page, "#queue tbody tr:nth-child(-n+3) [data-accept]")

    # the long title: two lines at most, cut short, the whole title on hover
    title = rows.first.locator(".queue-title")
    expect(title).to_have_attribute("title", LONG_TITLE)
    measured = title.evaluate(
        """el => ({height: el.getBoundingClientRect().height,
                   line: parseFloat(getComputedStyle(el).lineHeight),
                   full: el.scrollHeight})"""
    )
    assert measured["height"] <= 2 * measured["line"] + 1, measured
    assert measured["full"] > measured["height"] + measured["line"] / 2, measured  # clamped

    # when: the first row's Accept is clicked
    rows.first.get_by_role("button", name=w("Accept"), exact=True).click()

    # then
    page.wait_for_url(f"**/tickets/{tickets[0].number}/")
    expect(flash(page)).to_have_text(w("Ticket accepted. The requester has been told."))
    expect_state(page, w, TicketState.ACCEPTED)
    no_problems(engineer)


@both_languages_and_widths
def test_a_tech_lead_assigns_several_tickets_in_one_action(
    open_as: Any, alice: User, erin: User, tom: User, language: str, viewport: str
) -> None:
    # given: four submitted tickets; the tech lead will pick three
    tickets = file_tickets(alice, 4)
    picked = tickets[1:]
    lead, w = open_in(open_as, tom, language, viewport)
    page = lead.page
    reason = "打印机归赵敏负责 / Erin looks after the printers"
    lead.goto("/tickets/queue/")
    bar = page.locator("#bulk-form")
    expect(bar).to_be_hidden()  # nothing ticked yet

    # when: he ticks three, then picks the engineer, gives one reason and assigns
    for ticket in picked:
        page.get_by_role("checkbox", name=w("Select %(number)s", number=ticket.number)).check()
    expect(bar).to_be_visible()
    expect(page.locator("#bulk-count")).to_have_text(w("%(count)s selected", count=3))
    bar.get_by_label(w("Assign to"), exact=True).select_option(label=erin.name)
    bar.get_by_label(w("Reason"), exact=True).fill(reason)
    bar.get_by_role("button", name=w("Assign"), exact=True).click()

    # then: back on the queue with one message, each ticket assigned with its own event
    page.wait_for_url("**/tickets/queue/**")
    with translation.override(language):
        done = ngettext(
            "%(count)d ticket assigned to %(name)s.", "%(count)d tickets assigned to %(name)s.", 3
        ) % {"count": 3, "name": erin.name}
    expect(flash(page)).to_have_text(done)
    for ticket in picked:
        assert Ticket.objects.get(pk=ticket.pk).assignee == erin
        event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
        assert event.data["reason"] == reason and event.actor == tom
    assert Ticket.objects.get(pk=tickets[0].pk).assignee is None
    expect(page.locator("#queue input[name=tickets]:checked")).to_have_count(0)
    expect(bar).to_be_hidden()
    no_problems(lead)


@both_languages_and_widths
def test_an_engineer_saves_the_filters_as_a_tab(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: one high-priority ticket among others
    file_tickets(alice, 2)
    high = make_ticket(requester=alice, title="核心交换机宕机 / Core switch down", **HIGH)
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page
    name = "紧急 / Urgent"
    engineer.goto("/tickets/queue/")

    # when: he filters by priority (the filters fold away on a phone) and saves the tab
    if viewport == "phone":
        page.get_by_role("button", name=w("Filters")).click()
    page.locator("#queue-filters").get_by_label(w("Priority"), exact=True).select_option(
        label=w(Priority.HIGH.label)
    )
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    page.locator("button:visible", has_text=w("Save as a tab")).click()
    page.get_by_label(w("Tab name"), exact=True).fill(name)
    page.get_by_role("button", name=w("Save tab"), exact=True).click()

    # then: his tab is there, lit, with its count, showing the filtered queue
    expect(flash(page)).to_have_text(w("Saved as your tab “%(name)s”.", name=name))
    tab = page.locator("#queue-tabs a[data-saved-view]")
    expect(tab).to_have_count(1)
    expect(tab).to_have_text(f"{name} 1")
    expect(tab).to_have_attribute("aria-current", "page")
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    expect(page.locator("#queue tbody tr")).to_contain_text(high.number)
    assert SavedView.objects.get(owner=bob).query == "priority=high"

    # when: he goes to another tab and back through his own
    page.locator("#queue-tabs [data-tab=all]").click()
    expect(page.locator("#queue tbody tr")).to_have_count(3)
    tab.click()

    # then
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    expect(tab).to_have_attribute("aria-current", "page")
    no_problems(engineer)
