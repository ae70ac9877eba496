"""Vendor cases, clicked through in a real browser, in Chinese and English, at desktop
(1366 × 900) and phone (390 × 844) width.

An engineer opens a vendor case from the ticket page's "Vendor cases" panel (vendor,
reference, what was reported, a photo as evidence): the ticket then waits on the vendor,
and the panel shows when the requester is next due an update — 2 working hours after the
opening on the ticket's calendar — with a countdown like the SLA badges. The requester's
page says who the ticket waits on, and nothing of the case itself.

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.test_canned_and_watchers import within_width
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets import services
from tickets.choices import TicketState
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket_in
from vendors.models import Vendor, VendorCase

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_calendar"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SUMMARY = "主板无法上电 / mainboard dead after the BIOS update"


@both_languages_and_widths
def test_engineer_opens_a_vendor_case_and_sees_when_the_requester_is_next_due_an_update(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: bob handles alice's ticket, which has a photo; the desk works with Lenovo
    category = make_category("browser-laptop", name="笔记本", name_en="Laptop")
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob, category=category)
    services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("no-power.jpg", b"jpeg")]
    )
    Vendor.objects.create(name="联想服务 Lenovo Service", contacts="400-990-8888")
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page
    engineer.goto(ticket_link(ticket))
    width = VIEWPORTS[viewport][0]

    # when: he opens the form in the "Vendor cases" panel and fills it in
    panel = page.locator("#vendor-cases")
    expect(panel.get_by_role("heading", name=w("Vendor cases"))).to_be_visible()
    panel.get_by_text(w("Open a vendor case"), exact=True).click()
    for selector in ("#vcase_vendor", "#vcase_vendor_reference", "#vcase_summary"):
        within_width(page, selector, width)
    page.get_by_label(w("Vendor"), exact=True).select_option(label="联想服务 Lenovo Service")
    page.get_by_label(w("Vendor's reference number")).fill("RMA-55012")
    page.get_by_label(w("What was reported to the vendor")).fill(SUMMARY)
    panel.get_by_label("no-power.jpg").check()
    panel.get_by_role("button", name=w("Open case")).click()

    # then: the ticket waits on the vendor; the case shows the next update due, as stored
    page.wait_for_url(f"**/tickets/{ticket.number}/#vendor-cases")
    expect(flash(page)).to_have_text(
        w("Vendor case opened: the ticket waits on the vendor; its resolution clock is paused.")
    )
    expect(page.locator(".page-header")).to_contain_text(w("Waiting on vendor"))
    case = VendorCase.objects.get(ticket=ticket)
    assert case.next_update_due_at is not None
    due = timezone.localtime(case.next_update_due_at, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    row = panel.locator(f"[data-case='{case.pk}']")
    expect(row).to_contain_text("RMA-55012")
    clock = row.locator(".vendor-next-update")
    expect(clock).to_contain_text(w("Next update to the requester"))
    expect(clock.locator("time")).to_have_text(due)
    expect(clock.locator(".badge")).to_have_text(w.pattern("due in %s"))
    within_width(page, f"[data-case='{case.pk}'] .vendor-next-update .badge", width)
    assert [a.original_name for a in case.evidence.all()] == ["no-power.jpg"]
    no_problems(engineer)

    # and: alice reads who her ticket waits on, and nothing of the case
    requester, _ = open_in(open_as, alice, language, viewport)
    requester.goto(ticket_link(ticket))
    note = requester.page.locator("#vendor-wait")
    expect(note).to_contain_text("联想服务 Lenovo Service")
    expect(requester.page.locator("body")).not_to_contain_text("RMA-55012")
    expect(requester.page.locator("#vendor-cases")).to_have_count(0)
    no_problems(requester)
