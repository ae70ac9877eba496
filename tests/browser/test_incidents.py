"""Major incidents, clicked through in a real browser, in Chinese and English, at desktop
(1366 × 900) and phone (390 × 844) width.

A tech lead declares a major incident from a ticket (the form comes prefilled from it),
lands on the live page, adds an engineer to the task force and posts a status note; the
live page shows the task force formed, the status, the note and when the next management
report goes out (declared + 30 minutes, in the reader's zone).

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from incidents.choices import IncidentStatus, MemberRole
from incidents.models import MajorIncident
from tests.browser.test_canned_and_watchers import within_width
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets.choices import Impact, Urgency
from tickets.tests.factories import make_category, make_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_calendar"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
TITLE = "ERP 无法登录 / ERP login fails for everyone"
IMPACT = "财务与销售无法下单 / Finance and sales cannot post orders"
NOTE = "数据库磁盘阵列故障 / The ERP database lost its disk array"
NEXT = "切换到备用服务器 / Fail over to the standby server"


@both_languages_and_widths
def test_tech_lead_declares_from_a_ticket_adds_an_engineer_and_posts_a_status(
    open_as: Any, alice: User, bob: User, tom: User, language: str, viewport: str
) -> None:
    # given: alice's high-priority ticket about the ERP; tom (tech lead) is on duty
    category = make_category("browser-erp", name="业务系统", name_en="Business systems")
    ticket = make_ticket(
        requester=alice,
        title=TITLE,
        category=category,
        impact=Impact.NETWORK,
        urgency=Urgency.INTERRUPTED,
    )
    lead, w = open_in(open_as, tom, language, viewport)
    page = lead.page
    width = VIEWPORTS[viewport][0]

    # when: he opens the declaration form from the ticket: it comes prefilled
    lead.goto(f"/incidents/new/?ticket={ticket.number}")
    expect(page.locator("#declare_title")).to_have_value(TITLE)
    for selector in ("#declare_title", "#declare_impact", "#declare_commander"):
        within_width(page, selector, width)
    page.locator("#declare_impact").fill(IMPACT)
    page.get_by_role("button", name=w("Declare"), exact=True).click()

    # then: the live page of the new incident; tom commands it, no task force yet
    incident = MajorIncident.objects.get()
    page.wait_for_url(f"**/incidents/{incident.number}/")
    expect(flash(page)).to_contain_text(incident.number)
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("#incident-status")).to_have_text(w(IncidentStatus.INVESTIGATING.label))
    expect(page.locator("#task-force-clock [data-clock=running]")).to_be_visible()
    assert incident.source_ticket == ticket and incident.commander == tom

    # when: he adds bob to the task force as an engineer
    within_width(page, "#member_user", width)
    page.locator("#member_user").select_option(value=str(bob.pk))
    page.locator("#member_role").select_option(value=MemberRole.ENGINEER)
    page.locator("#member-form").get_by_role("button", name=w("Add to the task force")).click()

    # then: the task force is formed and bob is on it
    page.wait_for_url(f"**/incidents/{incident.number}/")
    expect(page.locator("#task-force-clock")).to_contain_text(w("Formed"))
    expect(page.locator("#members")).to_contain_text(bob.name)

    # when: he posts a status note: identified, what was done, next steps
    within_width(page, "#status_note", width)
    page.locator("#status_status").select_option(value=IncidentStatus.IDENTIFIED)
    page.locator("#status_note").fill(NOTE)
    page.locator("#status_next_steps").fill(NEXT)
    page.locator("#status-form").get_by_role("button", name=w("Post status")).click()

    # then: the status, the note in the timeline, and the next report's time
    page.wait_for_url(f"**/incidents/{incident.number}/")
    expect(flash(page)).to_have_text(w("Status note posted."))
    expect(page.locator("#incident-status")).to_have_text(w(IncidentStatus.IDENTIFIED.label))
    expect(page.locator("#status-notes")).to_contain_text(NOTE)
    expect(page.locator("#status-notes")).to_contain_text(NEXT)
    incident.refresh_from_db()
    first_report = incident.declared_at + dt.timedelta(minutes=30)
    shown = timezone.localtime(first_report, SHANGHAI).strftime("%H:%M")
    expect(page.locator("#next-report time")).to_have_text(shown)
    expect(page.locator("#next-report")).to_contain_text(w("Next report"))
    # the page refreshes itself every 15 s (the part answers on its own)
    expect(page.locator("#incident-summary")).to_have_attribute("hx-trigger", "every 15s")
    no_problems(lead)
