"""Link and merge, reopen: clicked through in a real browser, in Chinese and English, at
desktop (1366 × 900) and phone (390 × 844) width.

* An engineer marks a duplicate from its page ("Mark as duplicate of…" in the related-tickets
  card), checks the confirmation page naming both tickets, merges, and lands on the survivor,
  whose timeline shows the duplicate's message and what came in; the duplicate reads
  "closed as a duplicate of …".
* A requester reopens her closed ticket with a reason: it is back to diagnosed, the reason
  is in the timeline; once the window has passed, "Report a related problem" opens the
  prefilled form, and the new ticket is linked to the old one.

The tickets are filed through ``tickets.tests.factories`` (the services the pages use); the
expected words come from the translation catalogue, as in ``test_journeys``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from accounts.models import User
from tests.browser.test_canned_and_watchers import fits_width
from tests.browser.test_journeys import expect_state, flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets import services
from tickets.choices import ClosedAs, EventKind, LinkKind, TicketState
from tickets.models import Ticket, TicketLink
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

languages = pytest.mark.parametrize("language", ["zh-hans", "en"])
viewports = pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
MERGED_MESSAGE = "三楼交换机的灯全灭了 / All lights on the floor 3 switch are off"
REASON = "又打不出字了 / Blank pages again"


def within_width(control: Locator, viewport: str) -> None:
    """Usable on a phone: the control is visible and inside the viewport's width."""
    fits_width(control, VIEWPORTS[viewport][0])


@both_languages_and_widths
def test_engineer_merges_a_duplicate_and_the_survivor_shows_its_message(
    open_as: Any, alice: User, carol: User, bob: User, language: str, viewport: str
) -> None:
    # given: carol's ticket about the switch, and alice's duplicate with a message of hers
    category = make_category("browser-network", name="网络", name_en="Network")
    survivor = make_ticket(requester=carol, title="三楼断网 / Floor 3 offline", category=category)
    duplicate = make_ticket(
        requester=alice, title="我这里没有网络 / No network here", category=category
    )
    services.add_message(duplicate.pk, actor=alice, body=MERGED_MESSAGE)
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page

    # when: bob opens "Mark as duplicate of…" on the duplicate and gives the survivor's number
    engineer.goto(ticket_link(duplicate))
    card = page.locator("#related")
    summary = card.locator("#merge-details summary")
    within_width(summary, viewport)
    expect(summary).to_have_text(w("Mark as duplicate of…"))
    summary.click()
    field = card.get_by_label(w("Duplicate of (the ticket that stays)"))
    within_width(field, viewport)
    field.fill(survivor.number)
    check = card.get_by_role("button", name=w("Check and merge…"))
    within_width(check, viewport)
    check.click()

    # then: a confirmation names both tickets; nothing has changed yet
    heading = w("Merge %(a)s into %(b)s?", a=duplicate.number, b=survivor.number)
    expect(page.locator("h1")).to_have_text(heading)
    confirm = page.locator("#merge-confirm")
    expect(confirm).to_contain_text(duplicate.title)
    expect(confirm).to_contain_text(survivor.title)
    assert Ticket.objects.get(pk=duplicate.pk).state == TicketState.SUBMITTED

    # when: he confirms
    merge = page.get_by_role("button", name=w("Merge into %(b)s", b=survivor.number))
    within_width(merge, viewport)
    merge.click()

    # then: on the survivor, the duplicate's message at its time and what came in
    page.wait_for_url(f"**{ticket_link(survivor)}")
    expect(flash(page)).to_have_text(
        w("%(number)s was merged into this ticket and closed as a duplicate.")
        % {"number": duplicate.number}
    )
    replied = page.locator(
        f"#timeline > li[data-kind=replied]:has([data-merged-from='{duplicate.number}'])"
    )
    expect(replied).to_have_count(1)
    expect(replied).to_contain_text(MERGED_MESSAGE)
    expect(replied).to_contain_text(w("Merged in from %(n)s", n=duplicate.number))
    merged_from = page.locator("#timeline > li[data-kind=merged_from]")
    expect(merged_from).to_have_count(1)
    expect(merged_from.locator("h3")).to_contain_text(w(EventKind.MERGED_FROM.label))
    expect(merged_from).to_contain_text(duplicate.title)
    expect(page.locator(f"#related [data-number='{duplicate.number}']")).to_be_visible()

    # then: the duplicate is closed as a duplicate of the survivor
    page.locator(f"#related a[href='{ticket_link(duplicate)}']").click()
    page.wait_for_url(f"**{ticket_link(duplicate)}")
    expect(page.locator("#ticket-state")).to_contain_text(w(ClosedAs.DUPLICATE.label).lower())
    expect(page.locator("#duplicate-of")).to_contain_text(survivor.number)
    ticket = Ticket.objects.get(pk=duplicate.pk)
    assert ticket.closed_as == ClosedAs.DUPLICATE and ticket.duplicate_of_id == survivor.pk
    no_problems(engineer)


@both_languages_and_widths
def test_requester_reopens_her_closed_ticket(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: alice's ticket, fixed, verified and closed just now
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    ticket = make_ticket_in(
        TicketState.CLOSED,
        requester=alice,
        engineer=bob,
        title="三楼打印机白纸 / Floor 3 printer prints blank pages",
        category=category,
    )
    requester, w = open_in(open_as, alice, language, viewport)
    page = requester.page

    # when: she opens it and reopens it with a reason
    requester.goto(ticket_link(ticket))
    expect_state(page, w, TicketState.CLOSED)
    card = page.locator("#reopen")
    expect(card.locator("h2")).to_have_text(w("Is the problem back?"))
    reason = card.get_by_label(w("What is wrong again?"))
    within_width(reason, viewport)
    reason.fill(REASON)
    button = card.get_by_role("button", name=w("Reopen ticket"))
    within_width(button, viewport)
    button.click()

    # then: back to diagnosed, the reason on the timeline, bob keeps it
    page.wait_for_url(f"**{ticket_link(ticket)}")
    expect(flash(page)).to_have_text(w("Ticket reopened; the engineer has been told."))
    expect_state(page, w, TicketState.DIAGNOSED)
    reopened = page.locator("#timeline > li[data-kind=reopened]")
    expect(reopened).to_have_count(1)
    expect(reopened.locator("h3")).to_contain_text(w(EventKind.REOPENED.label))
    expect(reopened).to_contain_text(REASON)
    expect(page.locator("#reopen")).to_have_count(0)
    ticket.refresh_from_db()
    assert ticket.state == TicketState.DIAGNOSED and ticket.assignee_id == bob.pk
    assert ticket.reopen_count == 1
    no_problems(requester)


@both_languages_and_widths
def test_after_the_window_a_related_problem_is_filed_linked(
    open_as: Any, alice: User, bob: User, language: str, viewport: str, settings: Any
) -> None:
    # given: the window is over (no days at all)
    settings.TICKETS_REOPEN_DAYS = 0
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    old = make_ticket_in(
        TicketState.CLOSED,
        requester=alice,
        engineer=bob,
        title="投影仪不亮 / Projector stays dark",
        category=category,
    )
    requester, w = open_in(open_as, alice, language, viewport)
    page = requester.page

    # when: she follows "Report a related problem"
    requester.goto(ticket_link(old))
    expect(page.locator("#reopen")).to_have_count(0)
    report = page.locator("#report-related").get_by_role("link", name=w("Report a related problem"))
    within_width(report, viewport)
    report.click()
    page.wait_for_url("**/tickets/new/?related=*")

    # then: the form is prefilled from the old ticket and says it will be linked
    expect(page.locator("#related-origin")).to_contain_text(old.number)
    title = w("Re: %(title)s", title=old.title)
    expect(page.locator("#id_title")).to_have_value(title)
    expect(page.locator("#id_category")).to_have_value(str(category.pk))

    # when: she describes it and submits
    page.locator("#id_description").fill("又不亮了 / Dark again")
    page.locator("input[name=impact]").first.check()
    page.locator("input[name=urgency]").first.check()
    submit = page.locator("form.card button[type=submit]")
    within_width(submit, viewport)
    submit.click()

    # then: the new ticket names the old one as the problem it follows up
    page.wait_for_url(lambda url: "/tickets/new/" not in url)
    new = Ticket.objects.exclude(pk=old.pk).get(requester=alice)
    assert new.title == title
    link = TicketLink.objects.get()
    assert (link.from_ticket_id, link.to_ticket_id, link.kind) == (
        new.pk,
        old.pk,
        LinkKind.FOLLOW_UP,
    )
    item = page.locator(f"#related [data-number='{old.number}']")
    expect(item).to_contain_text(w("Follow-up of"))
    no_problems(requester)
