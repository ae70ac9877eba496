"""Remote help with the requester's consent, clicked through in a real browser, in Chinese
and English, at desktop (1366 × 900) and phone (390 × 844) width.

The engineer asks for remote access (tool, purpose, how long) from the work column; the
requester sees what tool, why and for how long on her ticket page and allows it with one big
button; the engineer logs the remote work as public progress (and an internal note beside
it); the requester's page, left open, shows the progress line without being reloaded, and
never the internal one.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from fieldwork.models import RemoteConsent, WorkLog
from tests.browser.test_canned_and_watchers import within_width
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets.choices import TicketState
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PURPOSE = "重置网卡并检查驱动 / Reset the network adapter and check its driver"
PROGRESS = "正在重置网卡，约 30 秒 / Resetting the network adapter, about 30 s"
INTERNAL = "内部：交换机端口 12 有错包 / switch port 12 shows errors"
POLL_MS = 10_000  # the progress list re-reads every 2 s here (15 s by default)


@both_languages_and_widths
def test_consent_then_remote_work_shows_live_on_the_requesters_page(
    open_as: Any, alice: User, bob: User, language: str, viewport: str, settings: Any
) -> None:
    # given: bob works alice's ticket; alice's page re-reads the progress every 2 s
    settings.FIELDWORK_PROGRESS_POLL_SECONDS = 2
    User.objects.filter(pk=alice.pk).update(display_name="王丽")
    category = make_category("browser-network", name="网络", name_en="Network")
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob, category=category)
    width = VIEWPORTS[viewport][0]
    engineer, w = open_in(open_as, bob, language, viewport)
    requester, _w = open_in(open_as, alice, language, viewport)
    epage, rpage = engineer.page, requester.page

    # when: bob asks for remote access from the work column
    engineer.goto(ticket_link(ticket))
    panel = epage.locator("#remote-session")
    expect(panel.get_by_role("heading", name=w("Remote session"))).to_be_visible()
    panel.locator("summary").click()
    within_width(epage, "#consent_tool", width)
    epage.locator("#consent_tool").fill("TeamViewer")
    epage.locator("#consent_purpose").fill(PURPOSE)
    epage.locator("#consent_duration_minutes").fill("45")
    panel.get_by_role("button", name=w("Send the request")).click()

    # then: the request waits for alice
    epage.wait_for_url(f"**/tickets/{ticket.number}/#remote-session")
    expect(flash(epage)).to_have_text(
        w("Request sent: the requester is asked to allow remote access.")
    )
    expect(panel.locator("[data-status=requested]")).to_contain_text(w("Waiting for the requester"))

    # when: alice opens her ticket: what tool, why, how long, and big buttons
    requester.goto(ticket_link(ticket))
    ask = rpage.locator("#remote-consent")
    expect(ask.get_by_role("heading", name=w("May the engineer connect to your computer?")))
    expect(ask.locator("[data-field=tool]")).to_have_text("TeamViewer")
    expect(ask.locator("[data-field=purpose]")).to_have_text(PURPOSE)
    expect(ask.locator("[data-field=duration]")).to_contain_text(w("%(m)d min", m=45))
    for button in ("#consent-grant", "#consent-refuse"):
        within_width(rpage, button, width)
    ask.get_by_role("button", name=w("Allow remote access")).click()

    # then: granted; she can stop it; her page waits for progress
    rpage.wait_for_url(f"**/tickets/{ticket.number}/#remote-consent")
    expect(flash(rpage)).to_have_text(
        w("Remote access allowed. You can stop it at any time on this page.")
    )
    expect(rpage.locator("#consent-revoke")).to_have_text(w("Stop remote access now"))
    assert RemoteConsent.objects.get(ticket=ticket).state == "granted"
    progress = rpage.locator("#work-progress")
    expect(progress.get_by_role("heading", name=w("Progress"))).to_be_visible()
    expect(progress.locator("[data-worklog]")).to_have_count(0)
    rpage.evaluate("window.__notReloaded = true")

    # when: bob logs the remote work as public progress, and an internal note
    engineer.goto(ticket_link(ticket))
    log = epage.locator("#work-log")
    for body, public in ((PROGRESS, True), (INTERNAL, False)):
        log.locator("details > summary").click()  # the form folds away after each entry
        epage.locator("#worklog_body").fill(body)
        log.get_by_label(w("Remote"), exact=True).check()
        epage.locator("#worklog_minutes").fill("1")
        if public:
            log.get_by_label(w("Show to the requester as progress")).check()
        within_width(epage, "#worklog-form button[type=submit]", width)
        log.get_by_role("button", name=w("Log work")).click()
        epage.wait_for_url(f"**/tickets/{ticket.number}/#work-log")
        expected = (
            w("Work logged; the requester sees it as progress.") if public else w("Work logged.")
        )
        expect(flash(epage)).to_have_text(expected)
        log = epage.locator("#work-log")

    # then: both in bob's log with the total, each linked to alice's grant
    expect(epage.locator("#worklog-list [data-worklog]")).to_have_count(2)
    expect(epage.locator("#worklog-total")).to_have_attribute("data-minutes", "2")
    assert {e.consent_id for e in WorkLog.objects.filter(ticket=ticket)} == {
        RemoteConsent.objects.get(ticket=ticket).pk
    }

    # then: alice's page, never reloaded, shows the progress line by itself — not the note
    expect(progress.locator("[data-worklog]")).to_have_count(1, timeout=POLL_MS)
    expect(progress).to_contain_text(PROGRESS)
    expect(progress).not_to_contain_text(INTERNAL)
    assert rpage.evaluate("window.__notReloaded") is True
    within_width(rpage, "#progress-list", width)
    no_problems(engineer, requester)
