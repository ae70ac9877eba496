"""The queue's layout and words as served: the columns that matter in every row, clamped
titles with the full title on hover, "all open" including the tickets waiting to be closed,
counts on every tab, filters that say "All", categories parents first; and the names that
tell "filed by me" from "assigned to me"."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import override_settings

from accounts.models import User
from tickets.choices import Priority, TicketState
from tickets.tests.factories import make_category, make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

LONG_TITLE = ("打印机卡纸并显示错误代码 E-1234，重启后仍然出现。" * 10)[:200]


def speak(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def rows(page: str) -> list[str]:
    return re.findall(r"<tr data-href=.*?</tr>", page, re.S)


def numbers(page: str) -> list[str]:
    return re.findall(r'<td class="q-number[^"]*"><a href="[^"]+">([^<]+)</a>', page)


def tab_counts(page: str) -> dict[str, str]:
    found = re.findall(
        r'data-tab="(\w+)"[^>]*>[^<]*(?:<span class="badge[^"]*">(\d+)</span>)?', page
    )
    return dict(found)


def test_every_row_carries_number_title_sla_priority_state_and_accept(web, bob, alice):
    # given
    ticket = make_ticket(requester=alice, title=LONG_TITLE)

    # when
    page = web(speak(bob, "en")).get("/tickets/queue/").content.decode()

    # then: the cells that matter are never hidden at any width (no d-none on them)
    [row] = rows(page)
    for cell in ("q-number", "q-title", "q-sla", "q-prio", "q-state", "q-action"):
        [classes] = re.findall(rf'<td class="({cell}[^"]*)"', row)
        assert "d-none" not in classes, cell
    assert "data-accept>Accept</button>" in row
    # the title is clamped by CSS and given whole on hover
    [title] = re.findall(
        r'<a class="queue-title[^"]*" href="[^"]+" tabindex="-1" title="([^"]+)"', row
    )
    assert html_lib.unescape(title) == LONG_TITLE
    # the less important columns drop out below their breakpoint
    assert 'class="q-requester d-none d-xl-table-cell"' in row
    assert 'class="q-category d-none d-xxl-table-cell"' in row
    assert ticket.number in numbers(page)


def test_all_open_lists_the_tickets_to_close_after_the_open_ones(web, bob, alice):
    # given: two open, one verified, one closed
    first = make_ticket(requester=alice)
    second = make_ticket(requester=alice)
    verified = make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)
    closed = make_ticket_in(TicketState.CLOSED, requester=alice, engineer=bob)
    client = web(speak(bob, "en"))

    # when
    page = client.get("/tickets/queue/").content.decode()

    # then
    shown = numbers(page)
    assert set(shown) == {first.number, second.number, verified.number}
    assert shown[-1] == verified.number and closed.number not in shown
    counts = tab_counts(page)
    assert counts["all"] == "3" and counts["to_close"] == "1"


@override_settings(TICKETS_QUEUE_PAGE_SIZE=2)
def test_pages_run_through_the_open_tickets_then_the_ones_to_close(web, bob, alice):
    # given: three open tickets and two verified
    open_ones = [make_ticket(requester=alice) for _ in range(3)]
    verified = [
        make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob) for _ in range(2)
    ]
    client = web(speak(bob, "en"))

    # when
    pages = [
        numbers(client.get("/tickets/queue/", {"page": n}).content.decode()) for n in (1, 2, 3)
    ]

    # then: every ticket once, in order, across the boundary between the two parts
    flat = [n for page in pages for n in page]
    assert flat[:3] == [t.number for t in open_ones]  # nearest deadline first
    assert sorted(flat[3:]) == sorted(t.number for t in verified)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert "1 / 3" in client.get("/tickets/queue/").content.decode()


def test_a_filter_on_all_open_applies_to_the_tickets_to_close_too(web, bob, alice):
    high = make_ticket(requester=alice, impact="network", urgency="interrupted")
    make_ticket(requester=alice)
    verified_high = make_ticket_in(
        TicketState.VERIFIED, requester=alice, engineer=bob, impact="network", urgency="interrupted"
    )
    make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)

    page = web(speak(bob, "en")).get("/tickets/queue/", {"priority": Priority.HIGH}).content
    assert numbers(page.decode()) == [high.number, verified_high.number]


def test_the_other_tabs_keep_to_the_open_tickets(web, bob, alice):
    mine = make_ticket_in(TicketState.ACCEPTED, requester=alice, engineer=bob)
    done = make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)

    page = web(speak(bob, "en")).get("/tickets/queue/", {"mine": "true"}).content.decode()

    assert numbers(page) == [mine.number] and done.number not in page
    assert tab_counts(page)["mine"] == "1"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["All open", "Unassigned", "Assigned to me", "Waiting on requester", "To close"]),
        ("zh-hans", ["全部未关闭", "未分配", "分派给我", "等待申报人回复", "待关闭"]),
    ],
)
def test_tabs_are_named_apart_from_filed_by_me_and_all_have_counts(web, bob, language, words):
    page = web(speak(bob, language)).get("/tickets/queue/").content.decode()

    labels = re.findall(r'data-tab="\w+"[^>]*>([^<]+?)\s*<span class="badge', page)
    assert labels == words  # every tab has its count badge, "To close" included
    filed = "Filed by me" if language == "en" else "我申报的"
    assert f"{filed}</a>" in page  # the navigation's own tickets link
    assert "我的工单" not in page and ">我的<" not in page and ">Mine<" not in page


@pytest.mark.parametrize(("language", "all_"), [("en", "All"), ("zh-hans", "全部")])
def test_filters_say_all_never_dashes(web, bob, language, all_):
    page = web(speak(bob, language)).get("/tickets/queue/").content.decode()

    assert "---------" not in page
    for name in ("state", "priority", "category", "site", "assignee"):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        assert select, name
        assert re.search(rf'<option value=""[^>]*>{all_}</option>', select.group(0)), name


def test_the_category_filter_lists_parents_before_their_children(web, bob):
    # given: children created before their parent, in another order than the tree
    network = make_category("zz-network", name="网络", name_en="Zz Network", sort_order=2)
    hardware = make_category("zz-hardware", name="硬件", name_en="Zz Hardware", sort_order=1)
    make_category("zz-network-wifi", parent=network, name="无线", name_en="Zz Wi-Fi")
    make_category("zz-hardware-printer", parent=hardware, name="打印机", name_en="Zz Printer")
    make_category("zz-hardware-pc", parent=hardware, name="电脑", name_en="Zz PC", sort_order=0)

    # when
    page = web(speak(bob, "en")).get("/tickets/queue/").content.decode()

    # then
    select = re.search(r'<select name="category".*?</select>', page, re.S).group(0)
    options = [html_lib.unescape(o) for o in re.findall(r"<option [^>]*>([^<]*)</option>", select)]
    indent = "\u00a0" * 4
    wanted = [
        "Zz Hardware",
        f"{indent}Zz PC",
        f"{indent}Zz Printer",
        "Zz Network",
        f"{indent}Zz Wi-Fi",
    ]
    assert [o for o in options if o.startswith(("Zz", indent + "Zz"))] == wanted


def test_the_requesters_page_is_filed_by_me(web, alice):
    page = web(speak(alice, "zh-hans")).get("/tickets/mine/").content.decode()

    assert '<h1 class="page-title me-auto">我申报的</h1>' in page
    assert "我的工单" not in page


def test_an_empty_filter_says_so_and_offers_the_way_back(web, bob):
    page = web(speak(bob, "en")).get("/tickets/queue/", {"priority": "high"}).content.decode()
    assert "Nothing matches these filters." in page
    assert "Show all tickets not yet closed" in page
    assert "No open tickets — nice." in web(bob).get("/tickets/queue/").content.decode()


def test_a_long_list_of_tickets_to_close_is_counted_up_to_a_cap(web, bob, alice, monkeypatch):
    # given: more verified tickets than the cap (lowered here from 10,000)
    monkeypatch.setattr("tickets.views.lists.COUNT_CAP", 2)
    make_ticket(requester=alice)
    for _ in range(3):
        make_ticket_in(TicketState.VERIFIED, requester=alice, engineer=bob)

    # when
    page = web(speak(bob, "en")).get("/tickets/queue/").content.decode()

    # then: the counts say "at least"
    counts = tab_counts(page)
    assert re.search(r'data-tab="to_close"[^>]*>[^<]*<span class="badge[^"]*">2\+</span>', page)
    assert re.search(r'data-tab="all"[^>]*>[^<]*<span class="badge[^"]*">3\+</span>', page)
    assert counts["unassigned"] == "1"
