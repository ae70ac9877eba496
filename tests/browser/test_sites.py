"""Branch offices (R7.2) in a real browser, in Chinese and English, at desktop (1366 × 900) and
phone (390 × 844) width.

* An engineer limited to site A opens the queue: only site A's tickets are listed, the tab
  count says so, and the site filter offers site A alone.
* The same engineer opens site B's ticket by its address: the not-found page, nothing of the
  ticket on it.

The tickets are filed through ``tickets.tests.factories`` (the services the pages use); the
expected words come from the translation catalogue, as in ``test_journeys``.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from tests.browser.test_journeys import no_problems
from tests.browser.test_reading_and_dispatch import both_languages_and_widths, open_in
from tickets.tests.factories import make_category, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE_A = "上海三楼打印机卡纸 / Shanghai printer jams"
TITLE_B = "北京会议室投影仪闪烁 / Beijing projector flickers"


@both_languages_and_widths
def test_limited_engineer_sees_only_their_sites_tickets(
    open_as: Any, alice: User, carol: User, language: str, viewport: str
) -> None:
    # given: alice works in Shanghai (A), carol in Beijing (B); lena is limited to Shanghai
    shanghai = Site.objects.create(code="sh", name="上海总部 Shanghai HQ")
    beijing = Site.objects.create(code="bj", name="北京分公司 Beijing branch")
    User.objects.filter(pk=alice.pk).update(site=shanghai)
    User.objects.filter(pk=carol.pk).update(site=beijing)
    lena = make_user("lena", Role.ENGINEER, display_name="Lena")
    lena.limited_to_sites.set([shanghai])
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    at_a = make_ticket(requester=User.objects.get(pk=alice.pk), title=TITLE_A, category=category)
    at_b = make_ticket(requester=User.objects.get(pk=carol.pk), title=TITLE_B, category=category)
    engineer, _words = open_in(open_as, lena, language, viewport)
    page = engineer.page

    # when
    engineer.goto("/tickets/queue/")

    # then: one row, site A's; "All open" counts one; the site filter offers Shanghai only
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(at_a.number)
    expect(page.locator("#queue")).not_to_contain_text(at_b.number)
    expect(page.locator("#queue")).not_to_contain_text("Beijing")
    expect(page.locator('#queue-tabs [data-tab="all"] .badge')).to_have_text("1")
    options = page.locator('select[name="site"] option')
    expect(options).to_have_count(2)  # "All" and Shanghai
    expect(options.nth(1)).to_have_text(shanghai.name)
    no_problems(engineer)

    # when: site B's ticket by its address
    response = page.goto(f"/tickets/{at_b.number}/")

    # then: not found, and nothing of the ticket shown
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(TITLE_B)
    expect(page.locator("body")).not_to_contain_text(at_b.number)
    assert engineer.page_errors == [] and engineer.dialogs == []
