"""The plan's window and the functional checks, clicked through in a real browser, in Chinese
and English, at desktop (1366 × 900) and phone (390 × 844) width.

* The engineer records the plan from the work view — the approaches listed least invasive
  first — with an operation window; the page says it waits for the requester. The requester
  reads the plan in plain words and the window on her page, confirms it, and the engineer's
  card says the window is confirmed.
* On an OA fault the engineer finds the category's checks in the work view, records one as
  passed and one as failed (with what failed): "Mark resolved" is refused with a message
  naming the failed check, and the ticket stays diagnosed; once every check is passed or
  not applicable, the fix goes through.

Expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, expect

from accounts.models import User
from fieldwork.models import CheckTemplate, WorkPlan
from fieldwork.services.plans import PlanEntry
from tests.browser.test_canned_and_watchers import fits_width
from tests.browser.test_journeys import expect_state, flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

languages = pytest.mark.parametrize("language", ["zh-hans", "en"])
viewports = pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
SHANGHAI = ZoneInfo("Asia/Shanghai")
RISK = "未保存的草稿会丢失 / Unsaved drafts are lost"
CHECKS = [
    ("使用测试账号登录系统", "Log in with a test account"),
    ("发起并走完一个审批流程", "Run an approval flow end to end"),
    ("上传并打开一个附件", "Upload and open an attachment"),
]
FAILED_NOTE = "审批卡在第二步 / Stuck at step 2"


def within_width(control: Locator, viewport: str) -> None:
    """Usable on a phone: the control is visible and inside the viewport's width."""
    fits_width(control, VIEWPORTS[viewport][0])


def tomorrow_evening() -> dt.datetime:
    day = timezone.now().astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(20, 0), tzinfo=SHANGHAI)


@both_languages_and_widths
def test_engineer_proposes_a_window_and_the_requester_confirms_it(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: alice's printer fault, diagnosed by bob
    ticket = make_ticket_in(
        TicketState.DIAGNOSED,
        requester=alice,
        engineer=bob,
        category=make_category("browser-printer", name="打印机", name_en="Printer"),
        title="打印机卡纸 / Printer jams",
    )
    start = tomorrow_evening()
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page

    # when: bob opens "Record the plan" in the work view
    engineer.goto(ticket_link(ticket))
    card = page.locator("#plan")
    summary = card.get_by_text(w("Record the plan"), exact=True)
    within_width(summary, viewport)
    summary.click()
    # the approaches, least invasive first, and it says so
    expect(card.locator("legend").first).to_have_text(w("Approach (least invasive first)"))
    radios = card.locator("input[name=approach]")
    assert [radios.nth(i).get_attribute("value") for i in range(4)] == [
        "restart",
        "rollback",
        "replacement",
        "other",
    ]
    card.get_by_label(f"2. {w('Configuration rollback')}").check()
    card.get_by_label(w("Risk"), exact=True).fill(RISK)
    window_from = card.get_by_label(w("Operation window from"))
    within_width(window_from, viewport)
    window_from.fill(start.strftime("%Y-%m-%dT%H:%M"))
    card.get_by_label(w("until"), exact=True).fill(
        (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    save = card.get_by_role("button", name=w("Save the plan"))
    within_width(save, viewport)
    save.click()

    # then: saved, and the card waits for alice
    page.wait_for_url(f"**/tickets/{ticket.number}/#plan")
    expect(flash(page)).to_have_text(w("Plan saved."))
    expect(page.locator("#plan-status")).to_have_text(w("Waiting for the requester"))
    expect(page.locator("#plan-waiting")).to_contain_text(
        w("Waiting for the requester to confirm the window.")
    )
    window_text = f"{start:%Y-%m-%d %H:%M} – {start + dt.timedelta(hours=1):%Y-%m-%d %H:%M}"
    expect(page.locator("#plan-window-times")).to_have_text(window_text)

    # when: alice opens her ticket
    requester, _ = open_in(open_as, alice, language, viewport)
    mine = requester.page
    requester.goto(ticket_link(ticket))
    panel = mine.locator("#plan-window")
    expect(panel.locator("h2")).to_have_text(w("Please confirm when the engineer may work on it"))
    expect(panel).to_contain_text(
        w("We will undo a recent configuration change that caused the fault.")
    )
    expect(panel).to_contain_text(RISK)
    expect(panel.locator("#plan-window-text")).to_contain_text(
        w(
            "When: from %(start)s until %(end)s",
            start=f"{start:%Y-%m-%d %H:%M}",
            end=f"{start + dt.timedelta(hours=1):%Y-%m-%d %H:%M}",
        )
    )
    button = panel.get_by_role("button", name=w("Confirm this time"))
    within_width(button, viewport)
    button.click()

    # then: confirmed on her page, in the timeline, and on bob's card
    mine.wait_for_url(f"**/tickets/{ticket.number}/")
    expect(flash(mine)).to_have_text(w("Thank you: the engineer knows the window suits you."))
    expect(mine.locator("#plan-confirmed")).to_be_visible()
    expect(mine.locator(f"#timeline > li[data-kind={PlanEntry.CONFIRMED.value}]")).to_have_count(1)
    engineer.goto(ticket_link(ticket))
    expect(page.locator("#plan-status")).to_have_text(w("Window confirmed"))
    expect(page.locator("#plan-confirmed")).to_contain_text(alice.name)
    plan = WorkPlan.objects.get(ticket=ticket)
    assert plan.approach == "rollback" and plan.confirmed_by_id == alice.pk
    assert plan.window_start == start
    no_problems(engineer, requester)


def choose(card: Locator, label: str, result: str, note: str = "") -> None:
    """Choose one check's result in the work view's checklist (its row found by its label)."""
    row = card.locator("#check-list > li", has_text=label)
    exact = re.compile(rf"^\s*{re.escape(result)}\s*$")
    row.locator("label.btn").filter(has_text=exact).click()
    if note:
        row.locator("input[type=text]").fill(note)


def record(card: Locator, label: str, result: str, note: str = "") -> None:
    """Record one check: choose its result and save the checklist."""
    choose(card, label, result, note)
    card.locator("#check-form button[type=submit]").click()


@both_languages_and_widths
def test_a_failed_check_refuses_resolving_with_a_clear_message(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: the business systems' checks, and alice's OA fault diagnosed by bob
    category = make_category("browser-oa", name="OA 系统", name_en="OA system")
    for order, (label, label_en) in enumerate(CHECKS):
        CheckTemplate.objects.create(
            category=category, label=label, label_en=label_en, sort_order=order
        )
    ticket = make_ticket_in(
        TicketState.DIAGNOSED,
        requester=alice,
        engineer=bob,
        category=category,
        title="OA 审批页面卡住 / OA approval page hangs",
    )
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page
    labels = [zh if language == "zh-hans" else en for zh, en in CHECKS]

    # when: bob opens the ticket: the category's checks are there, none recorded
    engineer.goto(ticket_link(ticket))
    card = page.locator("#checks")
    expect(card.locator("#check-list > li")).to_have_count(3)
    expect(card.locator("#checks-count")).to_have_text(
        w("%(done)s of %(total)s recorded", done=0, total=3)
    )
    first_passed = card.locator("#check-list > li").first.locator("label.btn").first
    within_width(first_passed, viewport)

    # he records the first as passed and the second as failed, saying what failed, in one save
    choose(card, labels[0], w("Passed"))
    record(card, labels[1], w("Failed"), FAILED_NOTE)
    expect(flash(page)).to_have_text(w("Checks recorded."))
    expect(card.locator("#check-list > li", has_text=labels[1])).to_have_attribute(
        "data-result", "failed"
    )
    expect(card.locator("#checks-blocking")).to_have_text(
        w("A check failed: resolving is refused until it passes.")
    )

    # and tries to resolve
    work = page.locator("#work-panel")
    solution = work.locator("textarea[name=solution]")
    within_width(solution, viewport)
    solution.fill("清理插件缓存 / Cleared the plug-in cache")
    work.get_by_role("button", name=w("Mark resolved")).click()

    # then: refused, with the failed check named beside the solution
    message = w(
        "A functional check failed: %(checks)s. Fix the fault and record the check again "
        "before resolving.",
        checks=w("“%(label)s”", label=labels[1]),
    )
    expect(page.locator("#work-panel .invalid-feedback")).to_have_text(message)
    expect_state(page, w, TicketState.DIAGNOSED)
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.DIAGNOSED
    # The refusal is a 400 page (the browser logs that status; nothing else may be logged).
    refused = "status of 400"
    engineer.console_errors[:] = [c for c in engineer.console_errors if refused not in c]

    # when: the second passes after a fix, the third does not apply
    engineer.goto(ticket_link(ticket))
    record(card, labels[1], w("Passed"))
    # Each recording reloads the page: wait for it before the next one.
    expect(card.locator("#check-list > li", has_text=labels[1])).to_have_attribute(
        "data-result", "passed"
    )
    record(card, labels[2], w("Not applicable"), "此流程无附件 / No attachments here")
    expect(card.locator("#checks-count")).to_have_text(
        w("%(done)s of %(total)s recorded", done=3, total=3)
    )
    page.locator("#work-panel textarea[name=solution]").fill("清理插件缓存 / Cleared the cache")
    page.locator("#work-panel").get_by_role("button", name=w("Mark resolved")).click()

    # then: resolved; alice is shown what was checked when asked to verify
    expect(flash(page)).to_have_text(w("Resolved. The requester is asked to verify."))
    expect_state(page, w, TicketState.RESOLVED)
    requester, _ = open_in(open_as, alice, language, viewport)
    requester.goto(ticket_link(ticket))
    done = requester.page.locator("#checks-done")
    expect(done.locator("li")).to_have_count(3)
    expect(done).to_contain_text(labels[2])
    expect(requester.page.locator("#verify-fix")).to_be_visible()
    no_problems(engineer, requester)
