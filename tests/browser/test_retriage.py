"""Re-triage without false breaches, clicked through in a real browser, in Chinese and English,
at desktop (1366 × 900) and phone (390 × 844) width.

A medium ticket filed two weeks ago is long overdue. The engineer opens "Change priority",
chooses High: before anything is saved the form shows the new deadlines (response 15 min
from now, in the reader's zone) and says nothing will be overdue. After saving, the response
clock runs again instead of being hours late, and the SLA explanation names the rule.

The expected words come from the translation catalogue (``Words``), as in ``test_journeys``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import Session
from tests.browser.test_journeys import Words, clock_badge, flash, no_problems
from tests.clock import SHANGHAI
from tickets.choices import Impact, Priority, Urgency
from tickets.models import SlaEvent, Ticket
from tickets.notify import ticket_link
from tickets.tests.factories import make_category, make_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_calendar"),
]

LANGUAGES = ["zh-hans", "en"]
BROWSER_LOCALE = {"zh-hans": "zh-CN", "en": "en-US"}
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
MEDIUM = {"impact": Impact.SINGLE, "urgency": Urgency.INTERRUPTED}


def open_in(open_as: Any, user: User, language: str, viewport: str) -> tuple[Session, Words]:
    User.objects.filter(pk=user.pk).update(language=language)
    session = open_as(user, locale=BROWSER_LOCALE[language])
    width, height = VIEWPORTS[viewport]
    session.page.set_viewport_size({"width": width, "height": height})
    return session, Words(language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_raising_the_priority_shows_the_new_deadline_first_and_breaches_nothing(
    open_as: Any, alice: User, bob: User, language: str, viewport: str
) -> None:
    # given: a medium ticket filed two weeks ago, its response hours overdue
    category = make_category("browser-network", name="网络", name_en="Network")
    with time_machine.travel(timezone.now() - dt.timedelta(days=14), tick=False):
        ticket = make_ticket(
            requester=alice,
            title="销售部网络中断 / Sales floor offline",
            category=category,
            **MEDIUM,
        )
    engineer, w = open_in(open_as, bob, language, viewport)
    page = engineer.page
    engineer.goto(ticket_link(ticket))
    expect(page.locator("#sla [data-clock]").first).to_have_attribute("data-clock", "breached")

    # when: the engineer chooses High on the priority form, before saving
    page.locator("#priority-change summary").click()
    page.locator("#priority-change select[name=priority]").select_option(Priority.HIGH.value)

    # then: the form shows the deadlines the change would set, and that nothing is overdue
    preview = page.locator("#priority-preview [data-overdue]")
    expect(preview).to_have_attribute("data-overdue", "no")
    expect(preview).to_contain_text(w("With priority %(p)s:", p=w(Priority.HIGH.label)))
    expect(preview).to_contain_text(w("Nothing becomes overdue with this change."))
    response_due = preview.locator("li[data-clock] time").first
    expect(response_due).to_be_visible()
    shown = response_due.inner_text()
    previewed = dt.datetime.fromisoformat(response_due.get_attribute("datetime") or "")
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM  # nothing saved yet

    # when: saved with a reason
    page.locator("#priority-change input[name=reason]").fill("整个销售部断网 / whole floor")
    page.locator("#priority-change button[type=submit]").click()

    # then: the response clock runs again (15 min from the change), no breach was recorded
    expect(flash(page)).to_have_text(w("Priority changed."))
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.priority == Priority.HIGH
    assert abs((stored.response_due_at - previewed).total_seconds()) < 60
    assert shown in {
        (stored.response_due_at - dt.timedelta(minutes=m))
        .astimezone(SHANGHAI)
        .strftime("%Y-%m-%d %H:%M")
        for m in (0, 1)
    }
    expect(page.locator("#sla [data-clock]").first).to_have_attribute("data-clock", "running")
    expect(clock_badge(page, 0)).to_have_text(w.pattern("due in %s"))
    expect(page.locator("#sla-explanation [data-rule=restart]")).to_have_count(1)
    assert not SlaEvent.objects.filter(ticket=ticket).exists()
    no_problems(engineer)
