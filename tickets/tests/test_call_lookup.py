"""Logging a call (R1.3): the caller looked up by name, phone number or employee ID as the
engineer types (``tickets.callers``, ``GET /tickets/call/callers/?q=``), the picker's
steps without JavaScript, the call-back number kept on the ticket, and the call counted
under "phone" in the reports by channel."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Department, Site, User
from accounts.roles import Role
from accounts.tests.factories import make_user
from tickets.callers import CALLER_RESULTS, find_callers, parse
from tickets.choices import Channel
from tickets.models import Ticket
from tickets.tests.factories import make_category

pytestmark = pytest.mark.django_db

LOOKUP = "/tickets/call/callers/"
CALL = "/tickets/call/"


@pytest.fixture
def sites(db) -> dict[str, Site]:
    return {
        "sh": Site.objects.create(code="sh", name="上海总部"),
        "bj": Site.objects.create(code="bj", name="北京分公司"),
    }


@pytest.fixture
def wang(sites) -> User:
    finance = Department.objects.create(name="财务部", site=sites["sh"])
    return make_user(
        "wangli",
        Role.REQUESTER,
        display_name="王丽",
        phone="138 0210 1001",
        employee_id="E10021",
        site=sites["sh"],
        department=finance,
    )


@pytest.fixture
def frank(sites) -> User:
    return make_user(
        "frank",
        Role.REQUESTER,
        display_name="Frank Miller",
        first_name="Frank",
        last_name="Miller",
        phone="+86 135-0755-3003",
        employee_id="e30012",
        site=sites["bj"],
    )


@pytest.fixture
def printer(db):
    return make_category("hardware-printer")


def _names(people: list[User]) -> list[str]:
    return [person.username for person in people]


def _lookup(client: Any, query: str) -> str:
    response = client.get(LOOKUP, {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _report(printer: Any, **overrides: str) -> dict[str, str]:
    return {
        "title": "蓝屏 / Blue screen at start-up",
        "description": "Blue screen with 0x0000007B since this morning",
        "impact": "single",
        "urgency": "interrupted",
        "category": str(printer.pk),
        **overrides,
    }


# --- what a query asks for -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("13507553003", "13507553003"),
        ("135 0755 3003", "13507553003"),
        ("135-0755-3003", "13507553003"),
        ("+86 135 0755 3003", "13507553003"),
        ("0086-135-0755-3003", "13507553003"),
        ("(021) 6088-8011", "02160888011"),
        ("１３５０７５５３００３", "13507553003"),  # full-width digits, as a Chinese IME types them
    ],
)
def test_a_phone_number_is_read_as_its_digits_without_the_country_code(typed, digits):
    assert parse(typed).digits == digits


def test_a_chinese_name_typed_with_a_space_is_one_name():
    assert parse("王 丽").words == ("王丽",)
    assert parse("frank  mil").words == ("frank", "mil")


@pytest.mark.parametrize("typed", ["", " ", "王", "x" * 101, "ab\x00c"])
def test_too_little_too_much_or_no_text_asks_for_nobody(typed, bob):
    assert parse(typed).is_empty
    assert find_callers(bob, typed) == ([], False)


# --- finding people --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["王丽", "王 丽", "wangli", "WANGLI", "angl"],
    ids=["display-name", "spaced", "username", "username-case", "inside-username"],
)
def test_finds_the_caller_by_name(typed, bob, wang, frank):
    assert _names(find_callers(bob, typed)[0]) == ["wangli"]


@pytest.mark.parametrize("typed", ["frank", "Miller", "frank mil", "MILLER FRANK", "ank mil"])
def test_finds_the_caller_by_first_and_last_name_in_any_order(typed, bob, wang, frank):
    assert _names(find_callers(bob, typed)[0]) == ["frank"]


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("13802101001", "wangli"),  # stored "138 0210 1001"
        ("138-0210-1001", "wangli"),
        ("+86 138 0210 1001", "wangli"),
        ("1001", "wangli"),  # the last digits, as read off a caller display
        ("13507553003", "frank"),  # stored "+86 135-0755-3003"
        ("135 0755 3003", "frank"),
        ("0755", "frank"),
    ],
)
def test_finds_the_caller_by_phone_whatever_the_spaces_dashes_or_country_code(
    typed, who, bob, wang, frank
):
    assert _names(find_callers(bob, typed)[0]) == [who]


@pytest.mark.parametrize(
    ("typed", "who"),
    [("E10021", "wangli"), ("e100", "wangli"), ("E30012", "frank"), ("E3", "frank")],
)
def test_finds_the_caller_by_the_start_of_the_employee_id_in_any_letter_case(
    typed, who, bob, wang, frank
):
    assert _names(find_callers(bob, typed)[0]) == [who]


def test_an_exact_employee_id_or_phone_comes_before_partial_matches(bob, sites):
    # given: people whose numbers merely contain what is typed, named to sort first
    for index in range(3):
        make_user(f"aa{index}", display_name=f"Aaron {index}", phone=f"139 1313 8000 {index}")
    make_user("zz", display_name="Zoe", phone="+86 139 1313 8000")
    make_user("emp", display_name="Abe", employee_id="1391")
    make_user("emp2", display_name="Ada", employee_id="13913")

    # when
    by_phone = _names(find_callers(bob, "139 1313 8000")[0])
    by_id = _names(find_callers(bob, "1391")[0])

    # then
    assert by_phone[0] == "zz"
    assert by_id[:2] == ["emp", "emp2"]  # this id, then an id starting so, then phones


def test_a_whole_name_comes_before_names_that_contain_it(bob):
    make_user("li1", display_name="李明华")
    make_user("li2", display_name="王李明")
    make_user("li3", display_name="李明")

    assert _names(find_callers(bob, "李明")[0]) == ["li3", "li1"]  # 王李明 does not start so
    assert _names(find_callers(bob, "李 明")[0]) == ["li3", "li1"]
    assert _names(find_callers(bob, "李明华")[0]) == ["li1"]


def test_only_active_people_are_found(bob, wang):
    User.objects.filter(pk=wang.pk).update(is_active=False)

    assert find_callers(bob, "王丽") == ([], False)


def test_at_most_ten_are_offered_and_it_says_more_match(bob, web):
    for index in range(CALLER_RESULTS + 2):
        make_user(f"zhang{index:02d}", display_name=f"张伟{index:02d}")

    people, more = find_callers(bob, "张伟")
    page = _lookup(web(bob), "张伟")

    assert (len(people), more) == (CALLER_RESULTS, True)
    assert _names(people) == [f"zhang{index:02d}" for index in range(CALLER_RESULTS)]
    assert page.count('name="pick"') == CALLER_RESULTS
    assert "Only the first 10 matches are shown" in page


def test_an_engineer_limited_to_a_site_finds_only_that_sites_people(bob, wang, frank, sites):
    # given: bob works for Shanghai only; frank is in Beijing, alice has no site
    bob.limited_to_sites.set([sites["sh"]])
    bob = User.objects.get(pk=bob.pk)
    make_user("nosite", display_name="Frank Nosite")

    # then
    assert _names(find_callers(bob, "frank")[0]) == []
    assert _names(find_callers(bob, "13507553003")[0]) == []
    assert _names(find_callers(bob, "E30012")[0]) == []
    assert _names(find_callers(bob, "王丽")[0]) == ["wangli"]


def test_a_site_limited_engineer_cannot_file_for_someone_of_another_site(
    bob, frank, sites, web, printer
):
    # given
    bob.limited_to_sites.set([sites["sh"]])

    # when: the id of a Beijing caller posted anyway
    response = web(bob).post(CALL, _report(printer, requester=str(frank.pk)))

    # then
    assert response.status_code == 400
    assert "requester" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_the_api_refuses_a_site_limited_engineer_filing_for_another_site(
    bob, wang, frank, sites, api, printer
):
    # given: bob works for Shanghai only; frank is in Beijing, wang in Shanghai
    bob.limited_to_sites.set([sites["sh"]])
    body = {"title": "Printer jammed", "description": "Paper stuck", "category": printer.slug}
    body |= {"impact": "single", "urgency": "interrupted"}

    # when
    refused = api(bob).post("/api/v1/tickets/", {**body, "requester": "frank"}, format="json")
    filed = api(bob).post("/api/v1/tickets/", {**body, "requester": "wangli"}, format="json")

    # then: a 400 naming the field, nothing saved for frank; wang's call is logged
    assert refused.status_code == 400, refused.content
    assert "requester" in refused.json()
    assert filed.status_code == 201, filed.content
    assert list(Ticket.objects.values_list("requester__username", "channel")) == [
        ("wangli", Channel.PHONE)
    ]


# --- the look-up endpoint -------------------------------------------------------------


def test_the_lookup_answers_a_fragment_with_name_place_phone_and_employee_id(bob, wang, web):
    response = web(bob).get(LOOKUP, {"q": "138 0210"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert "<html" not in page
    for text in ("王丽", "财务部", "上海总部", "138 0210 1001", "E10021"):
        assert text in page
    assert f'name="pick" value="{wang.pk}"' in page


@pytest.mark.parametrize("role", ["alice", "dave"])
def test_requesters_and_managers_may_not_look_people_up(role, request, web, wang):
    user = request.getfixturevalue(role)

    assert web(user).get(LOOKUP, {"q": "王丽"}).status_code == 403


@pytest.mark.parametrize("role", ["bob", "tom", "admin"])
def test_engineers_tech_leads_and_admins_look_people_up(role, request, web, wang):
    assert "王丽" in _lookup(web(request.getfixturevalue(role)), "王丽")


def test_nobody_signed_in_is_sent_to_log_in(client):
    response = client.get(LOOKUP, {"q": "王丽"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_lookup_says_when_no_one_matches_and_when_too_little_is_typed(bob, web):
    client = web(bob)

    assert "No one matches “Nobody Here”." in _lookup(client, "Nobody Here")
    assert "Type at least two characters" in _lookup(client, "x")
    assert "No one matches" not in _lookup(client, "")


def test_markup_in_a_name_comes_back_as_text(bob, web):
    make_user("mallory", display_name='<img src=x onerror=alert(1)>"Mal', phone="<b>1390000</b>")

    page = _lookup(web(bob), "1390000")

    assert "<img src=x" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;Mal" in page
    assert "&lt;b&gt;1390000&lt;/b&gt;" in page


def test_the_lookup_runs_a_fixed_number_of_queries(bob, web, sites, django_assert_num_queries):
    # given: a site-limited engineer (the limits are one more query) and one match
    bob.limited_to_sites.set([sites["sh"], sites["bj"]])
    client = web(bob)
    make_user("chen0", display_name="陈晨0", site=sites["sh"])
    _lookup(client, "陈晨")  # warm: session, user, permissions

    # when: one match, then ten with more
    with CaptureQueriesContext(connection) as one:
        assert _lookup(client, "陈晨").count('name="pick"') == 1
    for index in range(1, 12):
        department = Department.objects.create(name=f"部门{index}", site=sites["bj"])
        make_user(
            f"chen{index}", display_name=f"陈晨{index}", site=sites["bj"], department=department
        )
    with django_assert_num_queries(len(one)):
        assert _lookup(client, "陈晨").count('name="pick"') == CALLER_RESULTS


# --- the form ----------------------------------------------------------------------------


def test_logging_a_call_files_it_by_phone_for_the_caller_with_the_call_back_number(
    bob, wang, web, printer
):
    # when
    response = web(bob).post(
        CALL, _report(printer, requester=str(wang.pk), contact="分机 8021 / ext. 8021")
    )

    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/"
    assert (ticket.channel, ticket.requester, ticket.reported_by) == (Channel.PHONE, wang, bob)
    assert ticket.contact == "分机 8021 / ext. 8021"
    assert ticket.site == wang.site
    work_view = web(bob).get(response["Location"]).content.decode()
    assert "分机 8021 / ext. 8021" in work_view


def test_the_form_offers_no_list_of_everyone(bob, wang, frank, web):
    page = web(bob).get(CALL).content.decode()

    assert 'name="pick"' not in page and '<select name="requester"' not in page
    assert "Frank Miller" not in page and "E10021</span>" not in page
    assert 'type="hidden" name="requester"' in page
    assert 'id="caller-q"' in page


def test_a_link_with_q_opens_the_form_with_the_matches(bob, wang, web):
    page = web(bob).get(CALL, {"q": "13802101001"}).content.decode()

    assert f'name="pick" value="{wang.pk}"' in page


def test_without_javascript_find_pick_and_change_keep_what_was_typed_and_file_nothing(
    bob, wang, web, printer
):
    client = web(bob)
    typed = _report(printer, requester="", contact="", q="王丽")

    # find: the matches, no errors
    found = client.post(CALL, {**typed, "find": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert found.status_code == 200
    page = found.content.decode()
    assert f'name="pick" value="{wang.pk}"' in page
    assert "Please correct" not in page
    assert "蓝屏 / Blue screen at start-up" in page

    # pick: the caller chosen, their phone offered as the call-back number
    picked = client.post(CALL, {**typed, "pick": str(wang.pk)})
    assert picked.status_code == 200
    form = picked.context["form"]
    assert form["requester"].value() == str(wang.pk)
    assert form["contact"].value() == "138 0210 1001"
    assert form["title"].value() == "蓝屏 / Blue screen at start-up"
    assert picked.context["picker"].caller == wang

    # pick keeps a call-back number already typed; change clears the caller
    kept = client.post(CALL, {**typed, "contact": "ext. 12", "pick": str(wang.pk)})
    assert kept.context["form"]["contact"].value() == "ext. 12"
    changed = client.post(CALL, {**typed, "requester": str(wang.pk), "change": "1"})
    assert changed.context["form"]["requester"].value() == ""
    assert changed.context["picker"].caller is None

    # then: nothing was filed; the chosen caller and the rest file it
    assert not Ticket.objects.exists()
    filed = client.post(CALL, {**typed, "requester": str(wang.pk), "contact": "138 0210 1001"})
    assert filed.status_code == 302
    assert Ticket.objects.get().requester == wang


def test_a_pick_of_someone_not_offered_chooses_nobody(bob, frank, sites, web, printer):
    bob.limited_to_sites.set([sites["sh"]])

    response = web(bob).post(CALL, _report(printer, q="frank", pick=str(frank.pk)))

    assert response.status_code == 200
    assert response.context["picker"].caller is None
    assert "Frank Miller" not in response.content.decode()


def test_an_error_keeps_the_chosen_caller_and_what_was_typed(bob, wang, web, printer):
    response = web(bob).post(
        CALL, _report(printer, requester=str(wang.pk), contact="ext. 8021", title="")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "title" in response.context["form"].errors
    assert response.context["picker"].caller == wang
    assert f'name="requester" value="{wang.pk}"' in page
    assert "王丽" in page and "ext. 8021" in page


def test_without_a_caller_the_error_says_to_look_them_up_and_shows_the_matches(
    bob, wang, web, printer
):
    response = web(bob).post(CALL, _report(printer, q="王丽"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Look the caller up and choose them from the list." in page
    assert f'name="pick" value="{wang.pk}"' in page
    assert 'value="王丽"' in page  # the search box keeps the query


def test_a_logged_call_counts_under_phone_in_the_volume_report(
    bob, tom, wang, web, api, printer, seeded_calendar
):
    # given: one call through the form, one report through the web
    web(bob).post(CALL, _report(printer, requester=str(wang.pk)))
    web(wang).post("/tickets/new/", _report(printer))

    # when
    response = api(tom).get("/api/v1/reports/volume/?group_by=channel")

    # then
    assert response.status_code == 200
    rows = {row["key"]: row["tickets"] for row in response.json()["rows"]}
    assert rows["phone"] == 1
    assert rows["web"] == 1


# --- employee IDs and the indexes ----------------------------------------------------------


def test_employee_ids_are_unique_letter_case_aside_and_may_be_empty(wang):
    # two without an id are fine
    make_user("noid1")
    make_user("noid2")
    other = User(username="other", employee_id="e10021")

    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="Another person already has this employee ID."),
    ):
        other.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("other", employee_id="e10021")


def test_the_admin_edits_the_employee_id(admin, wang, web):
    page = web(admin).get(f"/admin/accounts/user/{wang.pk}/change/").content.decode()

    assert 'name="employee_id"' in page
    assert 'value="E10021"' in page


def _plan(sql: str, params: Any) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # What a big table would plan: index conditions, not a walk of a few rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("typed", "indexes"),
    [
        ("mill", ["user_display_name_trgm", "user_last_name_trgm", "user_username_trgm"]),
        ("王丽", ["user_display_name_trgm", "user_first_name_trgm"]),
        ("138 0210", ["user_phone_digits_trgm", "accounts_user_employee_id_unique"]),
        ("E100", ["accounts_user_employee_id_unique"]),
    ],
)
def test_each_way_of_matching_is_answered_by_an_index(typed, indexes, bob, wang, frank):
    # when: the look-up's own query, planned without the table scan a few rows invite
    with CaptureQueriesContext(connection) as captured:
        find_callers(bob, typed)
    sql = captured.captured_queries[-1]["sql"]

    # then: an index serves it (a query the indexes cannot answer plans a Seq Scan anyway)
    plan = _plan(sql, None)
    assert "Seq Scan on accounts_user" not in plan, plan
    for index in indexes:
        assert index in plan, plan


@pytest.mark.parametrize("column", ["wecom_id", "dingtalk_id", "feishu_id", "slack_id"])
def test_the_im_intake_finds_a_sender_by_a_partial_index(column, wang):
    # the intake's query (channels.intake.core._senders)
    people = User.objects.filter(is_active=True, **{column: "sender-1"}).order_by("pk")[:2]
    sql, params = people.query.sql_with_params()

    plan = _plan(sql, params)

    assert f"user_{column}" in plan, plan
    assert "Seq Scan on accounts_user" not in plan, plan
