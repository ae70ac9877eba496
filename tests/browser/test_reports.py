"""The SLA report in a real browser, in Chinese and English, at desktop (1366 × 900) and phone
(390 × 844) width: a manager lands on the dashboard, opens the SLA page from the menu, sees
the chart drawn (a canvas, labelled for screen readers) and the same numbers in the table,
narrows it to one priority with the keyboard, and nothing breaks the page's security policy.

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
Then the XSS corpus (``test_xss``) through every report: names, titles and categories that
are payloads come back as plain text, in the tables, the breaches and the charts' data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Site, User
from tests.browser.test_canned_and_watchers import within_width
from tests.browser.test_journeys import no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tests.browser.test_xss import Findings, build_corpus, one_line
from tests.xss_payloads import PAYLOADS
from tickets import services
from tickets.choices import Impact, Urgency
from tickets.models import Ticket
from tickets.tests.factories import make_category, make_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_calendar"),
]


@both_languages_and_widths
def test_manager_reads_the_sla_report_with_its_chart_and_table(
    open_as: Any, alice: User, bob: User, dave: User, language: str, viewport: str
) -> None:
    # given: this month, a high-priority ticket bob accepted and a low one nobody has yet
    high = make_ticket(requester=alice, impact=Impact.NETWORK, urgency=Urgency.INTERRUPTED)
    services.accept_ticket(high.pk, actor=bob)
    make_ticket(requester=alice, impact=Impact.SINGLE, urgency=Urgency.EXPERIENCE)
    manager, w = open_in(open_as, dave, language, viewport)
    page = manager.page
    width = VIEWPORTS[viewport][0]

    # when: he signs in he is on the dashboard; he opens the SLA report from the menu
    manager.goto("/")
    page.wait_for_url("**/reports/")
    expect(page.locator("h1")).to_have_text(w("Dashboard"))
    if viewport == "phone":
        page.locator(".navbar-toggler").click()
    page.locator("#nav-reports").click()
    page.get_by_role("link", name=w("SLA compliance"), exact=True).click()
    page.wait_for_url("**/reports/sla/")

    # then: the chart is drawn on a canvas and says what it shows; the table beside it
    expect(page.locator("h1")).to_have_text(w("SLA compliance"))
    chart = page.locator("[data-chart=chart-sla]")
    expect(chart).to_have_attribute("data-chart-ready", "true")
    expect(chart.locator("canvas").first).to_be_visible()
    # a screen reader hears the chart's title (its card's heading) and where the numbers are
    heading = page.locator(".card:has([data-chart=chart-sla]) h2").inner_text()
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_have_attribute(
        "aria-label", w("Chart: %(title)s. The table below holds the same numbers.", title=heading)
    )
    table = page.locator("#report-table")
    expect(table).to_be_visible()
    expect(table.locator("tfoot [data-column=tickets]")).to_have_text("2")
    expect(table.locator("tr[data-key=high] [data-column=response_met_pct]")).to_have_text(
        "100.0 %"
    )
    for selector in ("[data-chart=chart-sla]", "#report-exports", "#report-periods"):
        within_width(page, selector, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # when: he narrows it to the high priority with the keyboard
    if viewport == "phone":
        toggle = page.get_by_role("button", name=w("Filters"))
        toggle.focus()
        page.keyboard.press("Enter")
    priority = page.locator("#report_priority")
    expect(priority).to_be_visible()
    priority.focus()
    priority.select_option("high")
    page.get_by_role("button", name=w("Apply")).focus()
    page.keyboard.press("Enter")

    # then: the same page, the filter in its address, one ticket left
    page.wait_for_url("**/reports/sla/?*priority=high*")
    expect(page.locator("#report-table tfoot [data-column=tickets]")).to_have_text("1")
    expect(page.locator("[data-chart=chart-sla]")).to_have_attribute("data-chart-ready", "true")
    no_problems(manager)


def test_report_pages_show_hostile_names_and_titles_as_text(
    open_as: Any, alice: User, carol: User, bob: User, erin: User, tom: User, dave: User
) -> None:
    # given: the XSS corpus (engineers' names, tickets' titles are payloads), and two days
    # ago a ticket nobody accepted in a category and at a site whose names are payloads
    corpus, people = build_corpus(alice=alice, carol=carol, bob=bob, erin=erin, tom=tom)
    site = Site.objects.create(code="xss", name=PAYLOADS[3])
    category = make_category("xss-reports", name=PAYLOADS[1], name_en=PAYLOADS[5])
    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        breached = make_ticket(
            requester=people["alice"], title=one_line(PAYLOADS[24]), category=category
        )
    Ticket.objects.filter(pk=breached.pk).update(site=site)
    findings = Findings()
    manager = open_as(dave)

    # when: the manager reads every report, grouped by what carries the names
    for path in (
        "/reports/",
        "/reports/sla/",
        "/reports/sla/?group_by=engineer",
        "/reports/times/?group_by=category",
        "/reports/volume/?group_by=site",
        "/reports/backlog/",
        "/reports/satisfaction/?group_by=engineer",
        "/reports/engineers/",
    ):
        findings.check(manager, path)
    # what was typed comes back beside its control: a 400, which Chromium logs as such
    typed = f"/reports/sla/?site={quote(PAYLOADS[24])}&category={quote(PAYLOADS[0])}"
    answer = manager.page.goto(typed)
    assert answer is not None and answer.status == 400
    manager.console_errors[:] = [c for c in manager.console_errors if "status of 400" not in c]
    findings.inspect(manager, typed, answer.text(), requester=False)

    # then: nothing ran, nothing was built from the text, and the text is there as typed
    assert findings.problems == [], "\n".join(findings.problems)
    shown = "\n".join(findings.texts)
    for text in (PAYLOADS[3], PAYLOADS[5], one_line(PAYLOADS[24]), people["bob"].name):
        assert text in shown, text
