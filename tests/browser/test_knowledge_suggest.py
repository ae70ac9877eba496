"""The knowledge base around tickets, in a real browser, in Chinese and English at phone
(390 × 844) and desktop (1366 × 900) width.

* Suggestions while filing: a requester types her symptom on the new-ticket form, a
  published public article appears under it (never a staff-only one), she reads its steps
  inline and clicks "this solved my problem": she lands on her home page, told no ticket
  was filed, and the form's session records the article, with no ticket.
* The work view: an engineer finds an article in the panel's box and links it ("solved
  with", on the timeline), then turns the resolved ticket into a draft article.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, SuggestionSession
from knowledge.services.articles import create_article
from tests.browser.test_journeys import flash, no_problems
from tests.browser.test_reading_and_dispatch import open_in
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = {"zh-hans": "打印机", "en": "printer"}


@pytest.mark.parametrize(
    ("language", "viewport"), [("zh-hans", "phone"), ("en", "desktop")], ids=["zh-phone", "en"]
)
def test_a_suggested_article_solves_the_problem_before_a_ticket_is_filed(
    open_as: Any, alice: User, tom: User, language: str, viewport: str
) -> None:
    # given: one article for everyone, one for staff only
    public = create_article(
        by=tom,
        title="打印机打印出白纸 / Printer prints blank pages",
        symptom="每页都是白纸 / Every page comes out blank.",
        steps=["打开前盖 / Open the front cover", "更换定影器 / Replace the **fuser** unit"],
        status=ArticleStatus.PUBLISHED,
        audience=Audience.PUBLIC,
    )
    internal = create_article(
        by=tom,
        title="打印机后台服务重置 / Printer spooler reset on the print server",
        symptom="队列卡住 / The queue is stuck.",
        steps=["Restart the spooler"],
        status=ArticleStatus.PUBLISHED,
        audience=Audience.INTERNAL,
    )
    session, words = open_in(open_as, alice, language, viewport)
    page = session.goto("/tickets/new/")

    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/knowledge/suggest/?" in r.url else None)

    # when: she types her symptom (key by key, as people do)
    page.locator("#id_title").press_sequentially(TYPED[language], delay=40)

    # then: the public article appears under the symptom, the internal one never
    found = page.locator("#kb-suggestions .kb-suggestion")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text(public.title)
    expect(page.locator(f'[data-article="{internal.pk}"]')).to_have_count(0)
    link = found.first.get_by_role("link", name=public.title)
    expect(link).to_have_attribute("target", "_blank")
    assert len(asked) == 1, asked  # debounced: one question for the whole word

    # when: she opens its steps inline
    found.first.locator("summary").click()

    # then
    steps = found.first.locator(".kb-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(1)).to_be_visible()
    expect(steps.nth(1).locator("strong")).to_have_text("fuser")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # when: it worked
    found.first.get_by_role("button", name=words("This solved my problem")).click()

    # then: home, told no ticket was filed; the form's session says so too
    page.wait_for_url("**/tickets/mine/")
    expect(flash(page)).to_contain_text(
        words(
            "Glad “%(title)s” solved it: no ticket was filed. If the problem comes back, "
            "report it.",
            title=public.title,
        )
    )
    assert not Ticket.objects.filter(requester=alice).exists()
    record = SuggestionSession.objects.get(user=alice)
    assert record.accepted_article_id == public.pk and record.ticket_id is None
    assert internal.pk not in record.shown
    no_problems(session)


@pytest.mark.parametrize(
    ("language", "viewport"), [("en", "phone"), ("zh-hans", "desktop")], ids=["en-phone", "zh"]
)
def test_an_engineer_links_an_article_and_turns_the_ticket_into_one(
    open_as: Any, alice: User, bob: User, tom: User, language: str, viewport: str
) -> None:
    # given: a resolved ticket, and an article bob finds by a word of its title
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    spooler = create_article(
        by=tom,
        title="Print spooler reset",
        symptom="Jobs stay in the queue.",
        steps=["Restart the spooler"],
        status=ArticleStatus.PUBLISHED,
        audience=Audience.INTERNAL,
    )
    session, words = open_in(open_as, bob, language, viewport)
    page = session.goto(f"/tickets/{ticket.number}/")
    panel = page.locator("#knowledge")

    # when: he searches the panel's box and links what it finds
    panel.locator("#kb-find-q").press_sequentially("spooler", delay=40)
    found = panel.locator(f'#kb-found [data-article="{spooler.pk}"]')
    expect(found).to_be_visible()
    found.get_by_role("button").click()

    # then: linked, one use, on the timeline
    page.wait_for_url(f"**/tickets/{ticket.number}/#knowledge")
    expect(panel.locator(f'#kb-linked [data-article="{spooler.pk}"]')).to_be_visible()
    entry = page.locator('#timeline [data-kind="kb_article_linked"]')
    expect(entry).to_contain_text(words("Knowledge article linked"))
    expect(entry).to_contain_text(spooler.title)

    # when: he turns the ticket into an article, as filled in from it
    panel.get_by_role("link", name=words("Turn into an article")).click()
    expect(page.locator("#writeup_title")).to_have_value(ticket.title)
    expect(page.locator("#writeup_steps")).to_have_value("1. Replaced the fuser unit")
    page.get_by_role("button", name=words("Save the draft")).click()

    # then: the draft's page; back on the ticket, the panel and the timeline say so
    draft = Article.objects.exclude(pk=spooler.pk).get()
    page.wait_for_url(f"**/knowledge/articles/{draft.pk}/")
    assert draft.status == ArticleStatus.DRAFT and draft.source_ticket_id == ticket.pk
    page = session.goto(f"/tickets/{ticket.number}/")
    expect(page.locator("#kb-written-up")).to_contain_text(ticket.title)
    expect(page.locator('#timeline [data-kind="kb_article_created"]')).to_contain_text(
        words("Turned into a knowledge article")
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert Article.objects.get(pk=spooler.pk).use_count == 1
    no_problems(session)
