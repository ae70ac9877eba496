"""Search: every ticket the reader may see, any state, by number, words (Chinese too),
requester and device; ranked; never another requester's ticket or an internal note."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import search, services
from tickets.choices import TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket, make_ticket_in

pytestmark = pytest.mark.django_db

PAGE = "/tickets/search/"
API = "/api/v1/tickets/"
SH = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=SH)


@pytest.fixture
def desk(alice, carol, bob):
    """alice: a closed scanner ticket (20 Nov) and a verified projector one (21 Nov);
    carol: an open VPN ticket (22 Nov) with an internal note only staff may read."""
    with time_machine.travel(_at(20), tick=False):
        closed = make_ticket_in(
            TicketState.CLOSED,
            requester=alice,
            engineer=bob,
            title="Scanner jams on tray 2",
            description="The office scanner jams on every second page.",
        )
    with time_machine.travel(_at(21), tick=False):
        verified = make_ticket_in(
            TicketState.VERIFIED,
            requester=alice,
            engineer=bob,
            title="会议室投影仪无信号",
            description="三楼会议室的投影仪接上电脑后一直显示无信号。",
        )
    with time_machine.travel(_at(22), tick=False):
        vpn = make_ticket(
            requester=carol,
            title="VPN 连接失败",
            description="Cannot reach the intranet from home since the update.",
        )
        services.accept_ticket(vpn.pk, actor=bob)
        services.add_message(
            vpn.pk, actor=bob, body="Token seed rotated, codeword zebrafish", internal=True
        )
    return {"closed": closed, "verified": verified, "open": vpn}


def test_a_filter_that_can_match_nothing_finds_nothing_instead_of_failing(desk, bob, api):
    # given: an assignee nobody has (the search plans its query only when it can match)
    # when / then
    assert _api_numbers(api(bob), "0001", assignee="nobody-by-this-name") == []


def _page_numbers(client, q: str, **params: str) -> list[str]:
    response = client.get(PAGE, {"q": q, **params})
    assert response.status_code == 200
    return [t.number for t in response.context["rows"]]


def _api_numbers(client, q: str, **params: str) -> list[str]:
    response = client.get(API, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [t["number"] for t in response.json()["results"]]


# --- found in any state, by number, partial number and words -----------------------------


@pytest.mark.parametrize("state", ["closed", "verified", "open"])
def test_whole_number_finds_the_ticket_in_any_state(desk, bob, web, state):
    # given
    number = desk[state].number

    # when
    found = _page_numbers(web(bob), number)

    # then
    assert found[0] == number


def test_number_is_found_whatever_its_case(desk, bob, web):
    assert _page_numbers(web(bob), desk["closed"].number.lower())[0] == desk["closed"].number


def test_partial_number_finds_a_closed_ticket(desk, bob, web):
    # given: IT-20261120-0001, the first ticket of the 20th
    assert desk["closed"].number == "IT-20261120-0001"

    # when
    by_day_and_sequence = _page_numbers(web(bob), "1120-0001")
    by_sequence = _page_numbers(web(bob), "0001")

    # then
    assert by_day_and_sequence == ["IT-20261120-0001"]
    assert set(by_sequence) == {t.number for t in desk.values()}  # each the first of its day


@pytest.mark.parametrize("word", ["投影仪", "投影", "会议室", "信号"])
def test_chinese_word_finds_a_verified_ticket(desk, bob, web, word):
    assert _page_numbers(web(bob), word) == [desk["verified"].number]


@pytest.mark.parametrize("word", ["scanner", "SCANNER", "scan", "jams", "tray 2", "canne"])
def test_english_word_or_piece_of_one_finds_a_closed_ticket(desk, bob, web, word):
    assert _page_numbers(web(bob), word) == [desk["closed"].number]


def test_words_of_the_description_find_an_open_ticket(desk, bob, web):
    assert _page_numbers(web(bob), "intranet home") == [desk["open"].number]


def test_requester_name_and_solution_find_tickets(desk, bob, web):
    # the solution recorded when the fixes were resolved (factories: "Replaced the fuser unit")
    assert set(_page_numbers(web(bob), "fuser")) == {
        desk["closed"].number,
        desk["verified"].number,
    }
    assert _page_numbers(web(bob), "carol") == [desk["open"].number]


def test_words_that_match_nothing_find_nothing(desk, bob, web):
    response = web(bob).get(PAGE, {"q": "打印机 zzzz"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["rows"] == []
    assert "No ticket matches" in response.content.decode()


# --- who sees what ------------------------------------------------------------------------


def test_requester_never_finds_another_requesters_ticket(desk, alice, carol, web, api):
    # when: every ticket's number ends in 0001; the VPN ticket is carol's
    alice_found = _page_numbers(web(alice), "0001")
    carol_found = _api_numbers(api(carol), "0001")

    # then
    assert set(alice_found) == {desk["closed"].number, desk["verified"].number}
    assert carol_found == [desk["open"].number]
    assert _page_numbers(web(alice), "VPN") == []
    assert _page_numbers(web(alice), desk["open"].number) == []


def test_requester_never_matches_an_internal_note(desk, carol, web, api):
    # given: "zebrafish" is only in bob's internal note on carol's own ticket
    # when / then
    assert _page_numbers(web(carol), "zebrafish") == []
    assert _api_numbers(api(carol), "zebrafish") == []


@pytest.mark.parametrize("persona", ["bob", "tom", "dave"])
def test_staff_match_internal_notes(request, desk, web, api, persona):
    user = request.getfixturevalue(persona)
    assert _page_numbers(web(user), "zebrafish") == [desk["open"].number]
    assert _api_numbers(api(user), "zebra") == [desk["open"].number]


def test_new_reply_and_note_are_found_at_once(desk, carol, bob, web):
    # when
    services.add_message(desk["open"].pk, actor=carol, body="打印机又卡纸了")
    services.add_message(desk["open"].pk, actor=bob, body="换了搓纸轮 pickuproller", internal=True)

    # then
    assert _page_numbers(web(carol), "卡纸") == [desk["open"].number]
    assert _page_numbers(web(carol), "pickuproller") == []
    assert _page_numbers(web(bob), "pickuproller") == [desk["open"].number]


def test_edited_title_is_found_and_the_old_one_is_not(desk, bob, web):
    # when
    services.update_ticket_details(desk["open"].pk, actor=bob, changes={"title": "Wi-Fi 经常掉线"})

    # then
    assert _page_numbers(web(bob), "掉线") == [desk["open"].number]
    assert _page_numbers(web(bob), "VPN") == []
    assert _page_numbers(web(bob), "zebrafish") == [desk["open"].number]  # notes kept


# --- ranking --------------------------------------------------------------------------------


def test_exact_number_comes_before_tickets_that_mention_it(desk, alice, bob, web):
    # given: a newer ticket whose text names the closed ticket's number twice
    number = desk["closed"].number
    with time_machine.travel(_at(23), tick=False):
        mention = make_ticket(
            requester=alice,
            title=f"Same fault as {number}",
            description=f"Again like {number}, see {number}.",
        )

    # when
    found = _page_numbers(web(bob), number)

    # then
    assert found == [number, mention.number]


def test_title_match_ranks_before_a_match_in_a_reply(desk, alice, bob, web):
    # given: an older ticket with the word in its title, a newer one with it in a reply
    with time_machine.travel(_at(23), tick=False):
        in_reply = make_ticket(
            requester=alice, title="Screen flickers", description="Since Monday."
        )
        services.add_message(in_reply.pk, actor=alice, body="The keyboard is fine.")
    with time_machine.travel(_at(19), tick=False):
        in_title = make_ticket(requester=alice, title="Keyboard missing keys", description="Old.")

    # then
    assert _page_numbers(web(bob), "keyboard") == [in_title.number, in_reply.number]


def test_common_word_ranks_only_the_newest_candidates(desk, alice, bob, web, api, monkeypatch):
    # given: five tickets with the word, two candidates ranked
    monkeypatch.setattr(search, "CANDIDATES", 2)
    for day in (23, 24, 25):
        with time_machine.travel(_at(day), tick=False):
            make_ticket(requester=alice, title="Printer offline", description="Again.")

    # when
    response = web(bob).get(PAGE, {"q": "printer"}, HTTP_ACCEPT_LANGUAGE="en")
    api_body = api(bob).get(API, {"q": "printer"}).json()

    # then
    assert len(response.context["rows"]) == 2
    assert response.context["result"].capped
    assert "More than 2 tickets match" in response.content.decode()
    assert api_body["count"] == 2 and api_body["count_capped"] is True


# --- filters ------------------------------------------------------------------------------


def test_state_filter(desk, bob, web, api):
    assert _page_numbers(web(bob), "0001", state="closed") == [desk["closed"].number]
    assert _page_numbers(web(bob), "0001", state="open") == [desk["open"].number]
    assert _api_numbers(api(bob), "0001", state="verified") == [desk["verified"].number]


def test_submitted_date_filter_in_the_readers_zone(desk, bob, web, api):
    # the verified ticket was filed on 21 Nov at 10:00 in Shanghai
    assert _page_numbers(
        web(bob), "0001", submitted_from="2026-11-21", submitted_to="2026-11-21"
    ) == [desk["verified"].number]
    assert set(_api_numbers(api(bob), "0001", submitted_from="2026-11-21")) == {
        desk["verified"].number,
        desk["open"].number,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"submitted_from": "yesterday"}, "submitted_from"),
        ({"submitted_to": "2026-13-45"}, "submitted_to"),
        ({"submitted_from": "0001-01-01"}, "submitted_from"),
        ({"submitted_from": "2026-11-22", "submitted_to": "2026-11-20"}, "submitted_to"),
        ({"state": "bogus"}, "state"),
        ({"q": "x" * 201}, "q"),
        ({"q": "printer\x00"}, "q"),
    ],
)
def test_bad_filter_is_a_form_error_on_the_page_and_a_400_naming_it_in_the_api(
    desk, bob, web, api, params, field
):
    query = {"q": "printer", **params}

    # when
    page = web(bob).get(PAGE, query)
    answer = api(bob).get(API, query)

    # then
    assert page.status_code == 200
    assert page.context["form"].errors[field]
    assert page.context["rows"] == []
    assert answer.status_code == 400
    assert field in answer.json()


def test_bad_page_number_is_not_a_500(desk, bob, web, api):
    assert web(bob).get(PAGE, {"q": "0001", "page": "abc"}).status_code == 200
    assert api(bob).get(API, {"q": "0001", "page": "9"}).status_code == 404


# --- pages and the API ----------------------------------------------------------------------


def test_empty_query_explains_what_search_does(bob, web):
    response = web(bob).get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-start"' in body
    assert "No open tickets" not in body  # not the queue's "all fine"


def test_no_match_says_so_not_all_fine(desk, bob, web):
    body = web(bob).get(PAGE, {"q": "IT-20200101-0042"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No ticket matches “IT-20200101-0042”." in body
    assert "No open tickets" not in body


def test_search_page_in_chinese(desk, bob, web):
    client = web(bob)
    response = client.get(PAGE, {"q": "投影"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert desk["verified"].number in body
    assert "搜索工单" in body


def test_query_markup_is_shown_escaped(desk, bob, web):
    body = web(bob).get(PAGE, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_top_bar_searches_every_ticket_for_everyone(alice, bob, web):
    for user in (alice, bob):
        body = web(user).get("/tickets/mine/" if user is alice else "/tickets/queue/").content
        assert b'action="/tickets/search/"' in body


def test_api_without_q_keeps_the_list(desk, bob, api):
    # given / when: the usual list, newest first, every state
    numbers = _api_numbers(api(bob), "")

    # then
    assert numbers == [desk["open"].number, desk["verified"].number, desk["closed"].number]


def test_api_search_results_carry_the_list_shape(desk, bob, api):
    body = api(bob).get(API, {"q": "投影仪"}).json()
    assert body["count"] == 1 and body["count_capped"] is False
    assert body["next"] is None and body["previous"] is None
    assert body["results"][0]["number"] == desk["verified"].number
    assert body["results"][0]["state"] == "verified"


def test_openapi_documents_q(bob, api):
    schema = api(bob).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}
    assert "in any state" in params["q"]["description"]
    assert params["submitted_from"]["schema"]["format"] == "date"


@pytest.mark.parametrize("where", ["page", "api"])
def test_search_runs_the_same_queries_for_3_and_30_matches(desk, alice, bob, web, api, where):
    client = web(bob) if where == "page" else api(bob)
    url = PAGE if where == "page" else API
    client.get(url, {"q": "scanner"})  # warm up: session, content types

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": "scanner"})
        rows = response.context["rows"] if where == "page" else response.json()["results"]
        return len(queries), len(rows)

    few, few_rows = count()
    for _ in range(27):
        make_ticket(requester=alice, title="Scanner offline again", description="Again.")
    many, many_rows = count()

    assert (few_rows, many_rows) == (1, 25 if where == "page" else 28)
    assert few == many


# --- keeping the vectors ---------------------------------------------------------------------


def test_backfill_fills_tickets_without_vectors(desk, bob, web):
    # given: vectors lost (as on a desk that existed before search)
    Ticket.objects.update(search_document=None, search_notes=None)
    assert _page_numbers(web(bob), "电脑") == []  # a word of the description only

    # when
    call_command("backfill_search", "--batch-size", "2", stdout=io.StringIO())

    # then
    assert _page_numbers(web(bob), "电脑") == [desk["verified"].number]
    assert _page_numbers(web(bob), "zebrafish") == [desk["open"].number]


def test_vectors_rebuilt_equal_those_kept_by_the_services(desk):
    # given: what the services appended along the way
    kept = dict(Ticket.objects.values_list("pk", "search_document"))

    # when
    search.backfill(everything=True)

    # then: the same words (positions may differ after appends)
    rebuilt = dict(Ticket.objects.values_list("pk", "search_document"))
    for pk, vector in kept.items():
        assert _lexemes(vector) == _lexemes(rebuilt[pk])


def _lexemes(vector: str) -> set[str]:
    return {item.split("'")[1] for item in vector.split(" ") if item.startswith("'")}


def test_words_are_cut_for_search():
    assert search.words("会议室投影仪无信号") == ["会议", "会议室", "投影", "投影仪", "无", "信号"]
    assert search.words("IT-20261125-0001") == ["it", "20261125", "0001"]
    assert search.words("ＶＰＮ 的连接") == ["vpn", "连接"]


def test_query_terms():
    parsed = search.parse("投影仪 0001 Print")
    assert parsed.tsquery == "'投影仪' & '0001' & 'print':*"  # the last word a prefix
    assert parsed.title_piece == "%投影仪 0001 Print%"
    whole = search.parse("it-20261125-0001")
    assert (whole.number, whole.tsquery) == ("IT-20261125-0001", "'20261125' & '0001'")
    assert search.parse("1120-0001").number_piece == "%1120-0001%"
    assert search.parse("IT-2025").number_start == "IT-2025"
    assert search.parse("IT-2025").tsquery == ""
    assert search.parse("ab").title_piece == ""  # too short for the trigram index
    assert search.parse("50%_off").title_piece == "%50\\%\\_off%"


def test_beginning_of_a_number_finds_newest_first(desk, bob, web):
    assert _page_numbers(web(bob), "IT-202611") == [
        desk["open"].number,
        desk["verified"].number,
        desk["closed"].number,
    ]
    assert _page_numbers(web(bob), "it-20261121-") == [desk["verified"].number]


def test_migration_fills_a_small_desk_and_leaves_a_large_one_to_the_command(
    desk, monkeypatch, capsys
):
    # given: tickets filed before search existed
    migration = importlib.import_module("tickets.migrations.0015_backfill_search")
    editor = SimpleNamespace(connection=connection)
    Ticket.objects.update(search_document=None, search_notes=None)

    # when: a desk above the limit
    monkeypatch.setattr(migration, "INLINE_LIMIT", 2)
    migration.fill(None, editor)

    # then: nothing written, the command named
    assert Ticket.objects.filter(search_document__isnull=True).count() == 3
    assert "manage.py backfill_search" in capsys.readouterr().out

    # when: within the limit
    monkeypatch.setattr(migration, "INLINE_LIMIT", 3)
    migration.fill(None, editor)

    # then
    assert not Ticket.objects.filter(search_document__isnull=True).exists()
