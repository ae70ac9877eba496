"""From ticket to article: the pre-filled form, the draft it saves, the link back and the
timeline entry; refused before a fix, to requesters, twice."""

from __future__ import annotations

import pytest

from assets.models import Asset
from knowledge.choices import ArticleStatus, Audience, KnowledgeEntry, LinkKind
from knowledge.models import Article, ArticleLink
from knowledge.services.links import prefill, split_steps
from tickets import services
from tickets.choices import TicketState
from tickets.models import TicketEvent
from tickets.tests.factories import make_ticket, make_ticket_in, move_to

SOLUTION = (
    "1. Open the printer's front cover\n2. Replace the fuser unit\n   (part RM2-5425)\n"
    "3. Print a test page"
)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("Replaced the fuser unit", ["Replaced the fuser unit"]),
        ("Restart the PC\n\nClear the queue\n", ["Restart the PC", "Clear the queue"]),
        (
            SOLUTION,
            [
                "Open the printer's front cover",
                "Replace the fuser unit\n(part RM2-5425)",
                "Print a test page",
            ],
        ),
        ("1、关闭打印机\n2、更换硒鼓\n3、打印测试页", ["关闭打印机", "更换硒鼓", "打印测试页"]),
        ("第一步：重启电脑\n第二步：重新安装驱动", ["重启电脑", "重新安装驱动"]),
        ("① 拔掉网线 ② no\n② 重新插上", ["拔掉网线 ② no", "重新插上"]),
        (
            "- Unplug the dock\n- Plug it back in\n* Wait 10 s",
            ["Unplug the dock", "Plug it back in", "Wait 10 s"],
        ),
        ("Step 1: log out\nStep 2) log back in", ["log out", "log back in"]),
        ("(1) 重启\n（2）重试", ["重启", "重试"]),
        (
            "1.5 hours later it worked\nafter a restart",
            ["1.5 hours later it worked", "after a restart"],
        ),
        ("   \n", []),
    ],
)
def test_a_solution_becomes_ordered_steps(text, steps):
    assert split_steps(text) == steps


def test_prefill_takes_symptom_cause_steps_scenarios_and_category(db, alice, bob):
    # given: a resolved ticket on alice's printer
    printer = Asset.objects.create(
        tag="PRN-7", kind="printer", vendor="HP", model="LaserJet M404dn", os_version="FW 002.2135"
    )
    ticket = make_ticket(requester=alice, affected_system="3rd floor printer")
    type(ticket).objects.filter(pk=ticket.pk).update(asset=printer)
    ticket = move_to(ticket, TicketState.DIAGNOSED, engineer=bob)
    services.resolve_ticket(ticket.pk, actor=bob, solution=SOLUTION)
    ticket = type(ticket).objects.select_related("asset", "category").get(pk=ticket.pk)

    # when
    found = prefill(ticket)

    # then
    assert found["title"] == "Printer prints blank pages"
    assert found["symptom"] == "Since this morning every page comes out blank."
    assert found["cause"] == "Fuser unit worn out"
    assert found["steps"][1] == "Replace the fuser unit\n(part RM2-5425)"
    assert found["scenarios"] == ["3rd floor printer", "HP LaserJet M404dn", "FW 002.2135"]
    assert found["category"] == ticket.category


def test_turning_a_resolved_ticket_into_an_article_saves_a_draft_linked_back(web, alice, bob):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    page = web(bob).get(f"/knowledge/tickets/{ticket.number}/write-up/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Printer prints blank pages" in html and "1. Replaced the fuser unit" in html
    assert "Fuser unit worn out" in html

    # when: bob reviews the form and saves
    response = web(bob).post(
        f"/knowledge/tickets/{ticket.number}/write-up/",
        {
            "title": "Blank pages: worn fuser",
            "symptom": "Every page comes out blank.",
            "cause": "Fuser unit worn out",
            "steps": "1. Open the cover\n2. Replace the fuser unit",
            "scenarios": "HP LaserJet M404dn\n\n",
            "category": str(ticket.category_id),
            "audience": Audience.PUBLIC,
        },
    )

    # then: a draft, written from the ticket, linked both ways
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == ArticleStatus.DRAFT
    assert article.audience == Audience.PUBLIC
    assert article.source_ticket_id == ticket.pk
    assert article.steps == ["Open the cover", "Replace the fuser unit"]
    assert [s.name for s in article.scenarios.all()] == ["HP LaserJet M404dn"]
    assert article.author == bob and article.revision == 1
    link = ArticleLink.objects.get()
    assert (link.ticket_id, link.kind) == (ticket.pk, LinkKind.CREATED_FROM)
    assert article.use_count == 0  # written from it, not used on it

    # and: on the ticket's timeline (staff only: the draft is nobody else's business)
    event = TicketEvent.objects.get(ticket=ticket, kind=KnowledgeEntry.ARTICLE_CREATED)
    assert event.actor == bob and event.is_internal
    assert event.data == {"article": article.pk, "title": "Blank pages: worn fuser"}
    staff = web(bob).get(f"/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-kind="kb_article_created"' in staff
    assert "Turned into a knowledge article" in staff and "Blank pages: worn fuser" in staff
    assert 'id="kb-written-up"' in staff and 'id="kb-write-up"' not in staff
    mine = web(alice).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Blank pages: worn fuser" not in mine


def test_the_work_view_offers_turn_into_article_only_once_there_is_a_fix(web, alice, bob):
    # given
    working = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    resolved = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)

    # then
    assert 'id="kb-write-up"' not in web(bob).get(f"/tickets/{working.number}/").content.decode()
    assert 'id="kb-write-up"' in web(bob).get(f"/tickets/{resolved.number}/").content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_writing_up_a_ticket_without_a_fix_is_a_409(web, alice, bob, method):
    # given
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)

    # when
    response = getattr(web(bob), method)(
        f"/knowledge/tickets/{ticket.number}/write-up/", HTTP_ACCEPT_LANGUAGE="en"
    )

    # then
    assert response.status_code == 409
    assert "Only a resolved ticket" in response.content.decode()
    assert not Article.objects.exists()


def test_a_ticket_is_written_up_once(web, alice, bob):
    # given
    ticket = make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)
    body = {"title": "T", "symptom": "S", "steps": "1. x", "audience": "internal"}
    assert web(bob).post(f"/knowledge/tickets/{ticket.number}/write-up/", body).status_code == 302

    # when
    again = web(bob).post(f"/knowledge/tickets/{ticket.number}/write-up/", body)

    # then
    assert again.status_code == 409
    assert Article.objects.count() == 1


def test_requesters_and_managers_may_not_write_up_strangers_do_not_see_the_ticket(
    web, alice, carol, bob, dave
):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    path = f"/knowledge/tickets/{ticket.number}/write-up/"
    body = {"title": "T", "symptom": "S", "steps": "1. x", "audience": "internal"}

    # then
    assert web(alice).post(path, body).status_code == 403
    assert web(dave).post(path, body).status_code == 403
    assert web(carol).post(path, body).status_code == 404
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "Two\nlines"}, "title"),
        ({"steps": "  \n"}, "steps"),
        ({"audience": "everyone"}, "audience"),
        ({"scenarios": "x" * 101}, "scenarios"),
        ({"category": "999999"}, "category"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(web, alice, bob, change, field):
    # given
    ticket = make_ticket_in(TicketState.RESOLVED, requester=alice, engineer=bob)
    body = {"title": "T", "symptom": "S", "steps": "1. x", "audience": "internal", **change}

    # when
    response = web(bob).post(f"/knowledge/tickets/{ticket.number}/write-up/", body)

    # then
    assert response.status_code == 400
    assert f'id="writeup_{field}' in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert not Article.objects.exists()
