"""Major incidents in a real browser, in Chinese and English, at desktop (1366 × 900) and
phone (390 × 844) width: the staff banner, linking a ticket from the work view in one click,
and writing the post-incident review with a follow-up action.

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from accounts.models import User
from incidents import services as incident_services
from incidents.choices import IncidentStatus
from incidents.models import IncidentTicket, MajorIncident, ReviewAction
from tests.browser.test_canned_and_watchers import within_width
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_reading_and_dispatch import VIEWPORTS, both_languages_and_widths, open_in
from tickets.choices import TicketState
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_calendar"),
]

TITLE = "ERP 全公司无法登录 / ERP down for everyone"


def _linked_text(language: str, number: str) -> str:
    with translation.override(language):
        return ngettext(
            "%(count)d ticket linked to %(number)s.",
            "%(count)d tickets linked to %(number)s.",
            1,
        ) % {"count": 1, "number": number}


@both_languages_and_widths
def test_engineer_sees_the_banner_and_links_the_ticket_in_one_click(
    open_as: Any, alice: User, bob: User, tom: User, language: str, viewport: str
) -> None:
    # given: tom declared a major incident; bob works alice's ticket about the same outage
    incident = incident_services.declare(actor=tom, title=TITLE, impact="财务无法记账")
    category = make_category("browser-erp", name="业务系统", name_en="Business systems")
    ticket = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob, category=category)
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page
    width = VIEWPORTS[viewport][0]

    # when: he opens the ticket
    engineer.goto(ticket_link(ticket))

    # then: the banner says which incident, how it stands, and leads to its live page
    banner = page.locator("#incident-banner")
    expect(banner).to_contain_text(incident.number)
    expect(banner).to_contain_text(TITLE)
    expect(banner.locator(f"[data-status='{incident.status}']")).to_have_text(
        w(IncidentStatus.INVESTIGATING.label)
    )
    live = reverse("incidents:live", kwargs={"number": incident.number})
    expect(banner.get_by_role("link", name=incident.number, exact=True)).to_have_attribute(
        "href", live
    )
    within_width(page, "#incident-banner .btn", width)

    # when: one click on "Link to MI-… (ongoing)" in the work view
    offer = page.locator("#incident-panel").get_by_role(
        "button", name=w("Link to %(number)s (ongoing)", number=incident.number)
    )
    within_width(page, f"#incident-panel [data-offer='{incident.number}'] button", width)
    offer.click()

    # then: the ticket is linked, and the panel says to which incident
    page.wait_for_url(f"**/tickets/{ticket.number}/#incident-panel")
    expect(flash(page)).to_have_text(_linked_text(language, incident.number))
    linked = page.locator(f"#incident-panel [data-linked-incident='{incident.number}']")
    expect(linked).to_contain_text(TITLE)
    expect(page.locator("#incident-panel [data-offer]")).to_have_count(0)
    assert IncidentTicket.objects.filter(incident=incident, ticket=ticket).exists()
    no_problems(engineer)

    # and: alice, the requester, sees no banner
    requester, _ = open_in(open_as, alice, language, viewport)
    requester.goto(ticket_link(ticket))
    expect(requester.page.locator("#incident-banner")).to_have_count(0)
    no_problems(requester)


@both_languages_and_widths
def test_commander_writes_the_review_with_an_action(
    open_as: Any, bob: User, tom: User, language: str, viewport: str
) -> None:
    # given: tom's incident is resolved
    incident = incident_services.declare(actor=tom, title=TITLE, impact="财务无法记账")
    incident_services.record_restoration(incident.pk, actor=tom, restoration="切换到备用服务器")
    incident_services.post_status(incident.pk, actor=tom, status="resolved", note="磁盘已更换")
    lead, w = open_in(open_as, tom, language, viewport)
    page = lead.page
    width = VIEWPORTS[viewport][0]
    lead.goto(reverse("incidents:review", kwargs={"number": incident.number}))
    expect(page.locator("#review-timeline [data-kind='restored']")).to_contain_text(
        "切换到备用服务器"
    )

    # when: he writes the root cause
    within_width(page, "#review_root_cause", width)
    page.get_by_label(w("Root cause")).fill("日志轮转未开启，磁盘写满 / log rotation was off")
    page.get_by_role("button", name=w("Write review")).click()

    # then: the incident is reviewed
    expect(flash(page)).to_have_text(w("Review saved: the incident is reviewed."))
    expect(page.locator(".page-header [data-status]")).to_have_text(
        w(IncidentStatus.REVIEWED.label)
    )
    assert MajorIncident.objects.get(pk=incident.pk).status == IncidentStatus.REVIEWED

    # when: he adds an action for bob, due in a week
    due = timezone.localdate() + dt.timedelta(days=7)
    form = page.locator("#action-add-form")
    within_width(page, "#action_owner", width)
    form.get_by_label(w("Action to take")).fill("磁盘 80% 告警 / alert at 80 % disk")
    form.get_by_label(w("Responsible")).select_option(label=bob.name)
    form.get_by_label(w("Due date")).fill(due.isoformat())
    form.get_by_role("button", name=w("Add action")).click()

    # then: it is listed with its owner and due date
    expect(flash(page)).to_have_text(w("Action added."))
    action = ReviewAction.objects.get()
    row = page.locator(f"#action-{action.pk}")
    expect(row).to_contain_text(bob.name)
    expect(row.locator("time")).to_have_text(due.isoformat())
    within_width(page, f"#action-{action.pk} [data-description]", width)
    no_problems(lead)
