"""On-site visits and devices, clicked through in a real browser, in Chinese and English, at
desktop (1366 × 900) and phone (390 × 844) width.

* The engineer handling alice's printer ticket schedules a visit for tomorrow 14:00 from
  the "Device and on-site visits" panel, with what to bring, the printer's history beside
  it; alice confirms the time at the top of her ticket page; the engineer records the visit
  (lights, what was done, parts, site cleaned) and resolves the ticket; the printer's page
  then shows the maintenance record with its ticket and the parts.
* Hostile text in every field of a visit, a proposal and a device comes back as text on
  the ticket page, the device page and the register (the XSS corpus's payloads).

The tickets are filed through ``tickets.tests.factories`` (the services the pages use); the
expected words come from the translation catalogue, as in ``test_journeys``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from assets.models import MaintenanceRecord
from assets.tests.factories import make_asset, make_site
from fieldwork.models import SiteVisit
from fieldwork.services import visits
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_links_merge_reopen import within_width
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tests.browser.test_xss import DOM_SCAN, ESCAPABLE, PAYLOADS, _normal
from tests.clock import SHANGHAI
from tickets import services
from tickets.choices import RootCauseType, TicketState
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

languages = pytest.mark.parametrize("language", ["zh-hans", "en"])
viewports = pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
BRING = "定影组件 RM2-5425、手套 / fuser unit, gloves"
DONE = "更换定影组件，清洁纸路 / Replaced the fuser unit, cleaned the paper path"
PARTS = "定影组件 RM2-5425"


def tomorrow_at_two() -> dt.datetime:
    day = timezone.localtime(timezone.now(), SHANGHAI).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(14, 0), tzinfo=SHANGHAI)


@both_languages_and_widths
def test_visit_scheduled_confirmed_recorded_and_in_the_printers_history(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: alice's printer, with one earlier repair, and her diagnosed ticket about it
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    printer = make_asset(
        "SH-PRN-0001",
        owner=alice,
        kind="printer",
        vendor="HP",
        model="LaserJet Pro M404dn",
        site=make_site(),
    )
    ticket = make_ticket_in(
        TicketState.DIAGNOSED,
        requester=alice,
        engineer=bob,
        title="打印机打印空白页 / Printer prints blank pages",
        category=category,
        asset=printer,
    )
    MaintenanceRecord.objects.create(
        asset=printer,
        date=dt.date(2026, 9, 12),
        work_done="更换搓纸轮 / new pickup roller",
        parts="搓纸轮 / pickup roller",
        created_at=timezone.now(),
    )
    at = tomorrow_at_two()
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page

    # when: bob schedules the visit from the panel, the printer's history beside the form
    engineer.goto(ticket_link(ticket))
    panel = page.locator("#visits")
    expect(panel.locator("#visit-history")).to_contain_text("搓纸轮 / pickup roller")
    summary = panel.locator("#schedule-details summary")
    within_width(summary, viewport)
    expect(summary).to_have_text(w("Schedule an on-site visit"))
    summary.click()
    panel.get_by_label(w("Visit time")).fill(at.strftime("%Y-%m-%dT%H:%M"))
    panel.get_by_label(w("Parts and tools to bring")).fill(BRING)
    button = panel.get_by_role("button", name=w("Schedule the visit"))
    within_width(button, viewport)
    button.click()

    # then
    expect(flash(page)).to_have_text(
        w("Visit scheduled. The requester is asked to confirm the time.")
    )
    visit = SiteVisit.objects.get(ticket=ticket)
    assert visit.scheduled_at == at
    row = page.locator(f"#visit-list [data-visit='{visit.pk}']")
    expect(row).to_have_attribute("data-state", "scheduled")
    expect(row).to_contain_text(at.strftime("%Y-%m-%d %H:%M"))

    # when: alice confirms the time at the top of her page
    requester, _ = open_in(open_as, alice, language, viewport)
    requester.goto(ticket_link(ticket))
    mine = requester.page.locator("#visit-requester")
    expect(mine.locator("h2")).to_have_text(
        w("An engineer will visit you on %(at)s", at=at.strftime("%Y-%m-%d %H:%M"))
    )
    expect(mine).to_contain_text(BRING)
    confirm = mine.get_by_role("button", name=w("Confirm this time"))
    within_width(confirm, viewport)
    confirm.click()

    # then
    expect(flash(requester.page)).to_have_text(w("Thank you: the visit time is confirmed."))
    expect(requester.page.locator("#visit-confirmed")).to_have_text(w("You confirmed this time."))

    # when: bob records the visit, then resolves the ticket
    engineer.goto(ticket_link(ticket))
    row = page.locator(f"#visit-list [data-visit='{visit.pk}']")
    expect(row).to_have_attribute("data-state", "confirmed")
    record = row.locator(f"#complete-{visit.pk}")
    record.locator("summary").click()
    record.get_by_label(w("Indicator lights")).fill("电源灯绿 / power green")
    record.get_by_label(w("What was done")).fill(DONE)
    record.get_by_label(w("Parts used")).fill(PARTS)
    record.get_by_label(w("Yes")).check()
    save = record.get_by_role("button", name=w("Save the visit report"))
    within_width(save, viewport)
    save.click()
    expect(flash(page)).to_have_text(w("Visit recorded."))
    expect(page.locator(f"#visit-list [data-visit='{visit.pk}']")).to_have_attribute(
        "data-state", "completed"
    )
    page.locator("#work-panel textarea").first.fill("更换了定影组件 / Fuser unit replaced")
    page.locator("#work-panel button[type=submit]").click()
    expect(page.locator("#ticket-state")).to_have_text(w(TicketState.RESOLVED.label))

    # then: the printer's page lists the record with its ticket and the parts
    page.locator("#visit-device").get_by_role("link", name=w("The device's page")).click()
    history = page.locator("#asset-maintenance")
    entry = history.locator(f"[data-ticket='{ticket.number}']")
    expect(entry).to_contain_text(PARTS)
    expect(entry).to_contain_text(DONE)
    expect(entry.get_by_role("link", name=ticket.number)).to_be_visible()
    expect(page.locator(f"#asset-tickets [data-number='{ticket.number}']")).to_be_visible()
    within_width(entry, viewport)
    no_problems(engineer, requester)


def test_payloads_in_visits_and_devices_render_as_text(open_as, alice, bob, tom) -> None:
    # given: every free text of a device, a visit, a proposal and a visit report is a payload
    category = make_category("browser-printer", name="打印机", name_en="Printer")
    texts = iter(PAYLOADS)
    placed: list[str] = []

    def put(limit: int) -> str:
        text = " ".join(next(texts).splitlines())[:limit]
        placed.append(text)
        return text

    device = make_asset(put(32), owner=alice, vendor=put(100), model=put(100), os_version=put(100))
    ticket = make_ticket_in(
        TicketState.ACCEPTED, requester=alice, engineer=bob, category=category, asset=device
    )
    soon = timezone.now() + dt.timedelta(days=1)
    first = visits.schedule_visit(ticket.pk, actor=bob, scheduled_at=soon, bring=put(500))
    visits.propose_visit_time(
        ticket.pk, first.pk, actor=alice, proposed_at=soon + dt.timedelta(hours=3), note=put(500)
    )
    second = visits.schedule_visit(ticket.pk, actor=bob, scheduled_at=soon, bring=put(500))
    visits.complete_visit(
        ticket.pk,
        second.pk,
        actor=bob,
        work_done="\n".join(PAYLOADS),
        site_cleaned=False,
        indicator_lights=put(200),
        physical_damage=put(500),
        parts_used=put(500),
    )
    services.diagnose_ticket(
        ticket.pk,
        actor=bob,
        root_cause_type=RootCauseType.HARDWARE,
        root_cause="Fuser",
        impact_scope="One printer",
        solution_plan="Replace it",
    )
    services.resolve_ticket(ticket.pk, actor=bob, solution="Replaced")
    placed.append("\n".join(PAYLOADS))
    pages = [
        (open_as(alice), ticket_link(ticket)),
        (open_as(alice), f"/assets/{device.pk}/"),
        (open_as(bob), ticket_link(ticket)),
        (open_as(bob), f"/assets/{device.pk}/"),
        (open_as(bob), f"/tickets/{ticket.number}/report/"),
        (open_as(tom), "/assets/"),
    ]
    problems: list[str] = []
    seen: list[str] = []

    # when
    for session, path in pages:
        response = session.page.goto(path)
        assert response is not None and response.status == 200, path
        html = response.text()
        problems += [f"{path}: raw {p!r}" for p in ESCAPABLE if p in html or _normal(p) in html]
        problems += [f"{path}: {found}" for found in session.page.evaluate(DOM_SCAN)]
        problems += [f"{path}: {found}" for found in session.problems()]
        seen.append(session.page.evaluate("() => document.documentElement.textContent"))

    # then: nothing ran, every text shows as typed
    assert problems == [], "\n".join(problems)
    shown = _normal("\n".join(seen))
    assert [t for t in placed if _normal(t) not in shown] == []
