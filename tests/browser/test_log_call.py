"""Logging a call in a real browser, in Chinese and English, at desktop (1366 × 900) and
phone (390 × 844) width: the engineer types the caller's number as heard, chooses them with
the keyboard, sees their phone offered as the call-back number, and files the call; then
the same without JavaScript (the picker's buttons post the form).

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Department, Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from tests.browser.conftest import TIMEOUT_MS, login
from tests.browser.test_canned_and_watchers import within_width
from tests.browser.test_journeys import Words, flash, no_problems
from tests.browser.test_reading_and_dispatch import (
    VIEWPORTS,
    both_languages_and_widths,
    languages,
    open_in,
)
from tickets.choices import Channel
from tickets.models import Ticket
from tickets.tests.factories import make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def callers(db) -> dict[str, User]:
    """王丽 in Shanghai's finance department, and two people whose numbers look like hers."""
    site = Site.objects.create(code="sh-hq", name="上海总部")
    finance = Department.objects.create(name="财务部", site=site)
    wang = make_user(
        "wangli",
        Role.REQUESTER,
        display_name="王丽",
        phone="138 0210 1001",
        employee_id="E10021",
        site=site,
        department=finance,
    )
    for index in range(2):
        make_user(f"near{index}", display_name=f"王丽{index}", phone=f"+86 138 0210 1001 {index}")
    return {"wang": wang}


def fill_report(page: Page, words: Words, category: Any) -> None:
    page.locator("#id_title").fill("开机蓝屏 / Blue screen at start-up")
    page.locator("#id_description").fill("0x0000007B since this morning")
    page.get_by_label(words("Single device or user"), exact=True).check()
    page.get_by_label(words("Business interrupted"), exact=True).check()
    page.locator("#id_category").select_option(str(category.pk))


@both_languages_and_widths
def test_engineer_finds_the_caller_by_phone_chooses_with_the_keyboard_and_logs_the_call(
    open_as: Any, bob: User, callers: dict[str, User], language: str, viewport: str
) -> None:
    # given
    category = make_category("browser-pc", name="电脑", name_en="Computer")
    wang = callers["wang"]
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.goto("/tickets/call/")
    width = VIEWPORTS[viewport][0]
    within_width(page, "#caller-q", width)
    within_width(page, "#caller-find", width)

    # when: he types the number as heard, with its spaces
    with page.expect_response(lambda r: "/tickets/call/callers/" in r.url) as answer:
        page.locator("#caller-q").press_sequentially("138 0210 1001", delay=20)
    assert answer.value.ok
    options = page.locator("#caller-results .caller-option")
    expect(options).to_have_count(3)
    # the exact number first, with the name, department, site and employee ID
    expect(options.first).to_contain_text("王丽")
    expect(options.first).to_contain_text("财务部 · 上海总部")
    expect(options.first).to_contain_text("E10021")
    within_width(page, "#caller-results .caller-option >> nth=0", width)
    # ↓ into the list, ↓ ↑ through it, Enter on the first
    page.keyboard.press("ArrowDown")
    expect(options.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")

    # then: the caller is shown with "Change", the call-back number is their phone
    chosen = page.locator("#caller-chosen")
    expect(chosen).to_be_visible()
    expect(chosen).to_contain_text("王丽")
    expect(page.locator("#caller-search")).to_be_hidden()
    expect(page.locator("#id_requester")).to_have_value(str(wang.pk))
    expect(page.locator("#id_contact")).to_have_value("138 0210 1001")
    expect(page.locator("#id_contact")).to_be_focused()
    expect(page.locator("#caller-status")).to_contain_text("王丽")
    within_width(page, "#caller-change", width)

    # when: he edits the call-back number, fills the report and files it with Enter
    page.locator("#id_contact").fill("分机 8021")
    fill_report(page, w, category)
    with page.expect_navigation():
        page.locator("#id_title").press("Enter")

    # then
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester_id, ticket.reported_by_id) == (
        Channel.PHONE,
        wang.pk,
        bob.pk,
    )
    assert ticket.contact == "分机 8021"
    expect(flash(page)).to_contain_text(w("Call logged as %(number)s.", number=ticket.number))
    expect(page.locator("body")).to_contain_text("分机 8021")
    no_problems(engineer)


@languages
def test_change_reopens_the_search_and_nobody_matching_says_so(
    open_as: Any, bob: User, callers: dict[str, User], language: str
) -> None:
    # given: 王丽 chosen by her employee ID (Enter in the box takes the first match)
    category = make_category("browser-pc", name="电脑", name_en="Computer")
    engineer, w = open_in(open_as, bob, language, "desktop")
    page = engineer.goto("/tickets/call/")
    box = page.locator("#caller-q")
    # the answer to the whole ID, not to a prefix typed on the way (that list is replaced)
    with page.expect_response(lambda r: "/tickets/call/callers/" in r.url and "e10021" in r.url):
        box.press_sequentially("e10021", delay=20)
    expect(page.locator("#caller-results .caller-option")).to_have_count(1)
    box.press("Enter")
    expect(page.locator("#caller-chosen")).to_contain_text("王丽")

    # when: "Change", then a name nobody has
    page.locator("#caller-change").click()
    expect(page.locator("#caller-search")).to_be_visible()
    expect(box).to_be_focused()
    expect(page.locator("#id_requester")).to_have_value("")
    with page.expect_response(lambda r: "/tickets/call/callers/" in r.url):
        box.fill("无此人 Nobody")

    # then
    expect(page.locator("#caller-none")).to_contain_text(
        w("No one matches “%(query)s”.", query="无此人 Nobody")
    )
    expect(page.locator("#caller-status")).to_contain_text("无此人 Nobody")

    # and Enter with nobody chosen files nothing: the form says to look the caller up
    fill_report(page, w, category)
    with page.expect_navigation():
        page.locator("#id_title").press("Enter")
    expect(page.locator("#caller-error")).to_have_text(
        w("Look the caller up and choose them from the list.")
    )
    expect(page.locator("#caller-q")).to_have_value("无此人 Nobody")
    assert not Ticket.objects.exists()
    # Chromium logs the page's own 400 (a form with errors), as it should
    expected = "the server responded with a status of 400"
    engineer.console_errors[:] = [c for c in engineer.console_errors if expected not in c]
    no_problems(engineer)


def test_without_javascript_the_picker_posts_the_form_and_keeps_what_was_typed(
    browser: Browser, live_server: Any, bob: User, callers: dict[str, User]
) -> None:
    # given: a browser with JavaScript off
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    login(page, bob.username)
    User.objects.filter(pk=bob.pk).update(language="en")
    w = Words("en")
    category = make_category("browser-pc", name="电脑", name_en="Computer")
    page.goto("/tickets/call/")

    # when: he fills the report, looks the caller up with "Find" and picks her
    fill_report(page, w, category)
    page.locator("#caller-q").fill("王丽")
    page.locator("#caller-find").click()
    expect(page.locator("#id_title")).to_have_value("开机蓝屏 / Blue screen at start-up")
    page.locator(f"#caller-option-{callers['wang'].pk}").click()

    # then: she is chosen, her phone offered, nothing filed yet
    expect(page.locator("#caller-chosen")).to_contain_text("王丽")
    expect(page.locator("#id_contact")).to_have_value("138 0210 1001")
    assert not Ticket.objects.exists()

    # when: Enter in a field files the call (not "Change": the form's default button)
    page.locator("#id_title").press("Enter")
    page.wait_for_url(lambda url: "/tickets/IT-" in url)

    # then
    ticket = Ticket.objects.get()
    assert (ticket.requester_id, ticket.channel, ticket.contact) == (
        callers["wang"].pk,
        Channel.PHONE,
        "138 0210 1001",
    )
    assert ticket.title == "开机蓝屏 / Blue screen at start-up"
    context.close()
