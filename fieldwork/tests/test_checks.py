"""Functional checks before resolving (R5.2): the category's defaults put on the ticket when
its handler first looks, each recorded as passed / failed / not applicable with a note,
checks of the engineer's own; a failed or unrecorded check refuses resolving (page and API);
the requester sees them when asked to verify, the service report prints them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldwork.models import CheckTemplate, FunctionalCheck
from tickets.choices import TicketState
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import make_category, make_ticket_in

pytestmark = pytest.mark.django_db

# Seeded by fieldwork.0002 for the business systems (OA / ERP / finance).
DEFAULTS = [
    "使用测试账号登录系统",
    "发起并走完一个审批流程",
    "上传并打开一个附件",
    "确认无次生问题（相关功能和速度正常）",
]
DEFAULTS_EN = [
    "Log in with a test account",
    "Run an approval flow end to end",
    "Upload and open an attachment",
    "No secondary problems (related functions and speed as before)",
]
RESOLVE = {"solution": "Cleared the plug-in cache and restarted the OA service"}


def checks_url(ticket, check_id: int | None = None) -> str:
    tail = f"{check_id}/" if check_id else ""
    return f"/api/v1/tickets/{ticket.number}/checks/{tail}"


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and answers in English (the personas set no language; the desk's is Chinese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def business(alice, bob) -> Ticket:
    """alice's OA fault, diagnosed by bob."""
    return make_ticket_in(
        TicketState.DIAGNOSED,
        requester=alice,
        engineer=bob,
        category=make_category("software-business"),
        title="OA approval page hangs",
    )


def listed(api, user, ticket) -> list[dict]:
    response = api(user).get(checks_url(ticket))
    assert response.status_code == 200, response.json()
    return response.json()


def record(api, user, ticket, check_id, result, note=""):
    return api(user).patch(
        checks_url(ticket, check_id), {"result": result, "note": note}, format="json"
    )


def record_all(api, user, ticket, result="passed", note="ok"):
    for row in listed(api, user, ticket):
        assert record(api, user, ticket, row["id"], result, note).status_code == 200


# --- where the list comes from ---------------------------------------------------------------


def test_the_categorys_defaults_are_put_on_when_the_handler_looks(api, alice, bob, business):
    # given: the requester looking first creates nothing
    assert listed(api, alice, business) == []

    # when
    rows = listed(api, bob, business)

    # then: the four defaults, in order, none recorded; a second look adds nothing
    assert [r["label"] for r in rows] == DEFAULTS
    assert {r["result"] for r in rows} == {""}
    assert len(listed(api, bob, business)) == 4
    assert FunctionalCheck.objects.filter(ticket=business).count() == 4


def test_the_work_view_puts_the_defaults_on_for_the_handler_only(web, bob, erin, business):
    # another engineer only looks
    web(erin).get(f"/tickets/{business.number}/")
    assert not FunctionalCheck.objects.filter(ticket=business).exists()
    # the handler's view puts them on and shows them, each with its result buttons
    page = web(bob).get(f"/tickets/{business.number}/").content.decode()
    assert FunctionalCheck.objects.filter(ticket=business).count() == 4
    assert 'id="checks"' in page
    assert page.count("btn-check") == 4 * 3  # passed, failed, not applicable per check
    assert page.count('id="check-form"') == 1  # one form for the whole checklist
    assert "0 of 4 recorded" in page


def test_each_reader_reads_the_label_in_their_language(api, bob, business):
    listed(api, bob, business)
    url = checks_url(business)
    english = api(bob).get(url, HTTP_ACCEPT_LANGUAGE="en").json()[0]
    chinese = api(bob).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()[0]
    assert english["label"] == chinese["label"] == DEFAULTS[0]  # as stored
    assert english["label_shown"] == DEFAULTS_EN[0]
    assert chinese["label_shown"] == DEFAULTS[0]


def test_an_admin_added_default_joins_the_list_and_results_stay(api, bob, business):
    # given: one check recorded
    first = listed(api, bob, business)[0]
    record(api, bob, business, first["id"], "passed")
    category = make_category("software-business")
    CheckTemplate.objects.create(
        category=category, label="打印报表", label_en="Print a report", sort_order=50
    )

    # when
    rows = listed(api, bob, business)

    # then
    assert [r["label"] for r in rows] == [*DEFAULTS, "打印报表"]
    assert rows[0]["result"] == "passed"


def test_a_category_change_adds_the_new_defaults_and_keeps_the_results(api, bob, business):
    # given: the OA defaults, one recorded
    first = listed(api, bob, business)[0]
    record(api, bob, business, first["id"], "passed")
    erp = make_category("software-erp", name="ERP", name_en="ERP")
    CheckTemplate.objects.create(category=erp, label="过账一张凭证", label_en="Post a voucher")

    # when: the ticket is recategorised (the admin)
    Ticket.objects.filter(pk=business.pk).update(category=erp)
    rows = listed(api, bob, Ticket.objects.get(pk=business.pk))

    # then: nothing recorded is lost, the ERP default is added
    assert [r["label"] for r in rows] == [*DEFAULTS, "过账一张凭证"]
    assert rows[0]["result"] == "passed"


def test_a_ticket_of_another_category_has_no_checks_until_the_engineer_adds_one(api, alice, bob):
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    assert listed(api, bob, ticket) == []
    added = api(bob).post(checks_url(ticket), {"label": "Print a test page"}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["label"] == "Print a test page"
    assert [r["label"] for r in listed(api, bob, ticket)] == ["Print a test page"]


# --- recording -------------------------------------------------------------------------------


def test_recording_a_check_keeps_who_when_and_a_timeline_entry(api, bob, business):
    first = listed(api, bob, business)[0]
    response = record(api, bob, business, first["id"], "passed", "test01 logged in")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["result"] == "passed" and body["note"] == "test01 logged in"
    assert body["checked_by"]["username"] == "bob" and body["checked_at"]
    event = TicketEvent.objects.get(ticket=business, kind="check_recorded")
    assert event.data["label"] == DEFAULTS[0]
    assert event.data["label_en"] == "Log in with a test account"
    assert event.data["result"] == "passed"
    assert event.is_internal is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"result": "failed"}, "note"),  # say what failed
        ({"result": "na", "note": "  "}, "note"),  # say why it does not apply
        ({"result": "maybe"}, "result"),
        ({"result": ""}, "result"),
        ({"result": "passed", "note": "x" * 501}, "note"),
        ({}, "result"),
    ],
)
def test_bad_check_input_is_a_400_naming_the_field(api, bob, business, body, field):
    first = listed(api, bob, business)[0]
    response = api(bob).patch(checks_url(business, first["id"]), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert FunctionalCheck.objects.get(pk=first["id"]).result == ""


@pytest.mark.parametrize(
    ("label", "field"),
    [("", "label"), ("two\nlines", "label"), ("x" * 201, "label"), ("上传并打开一个附件", "label")],
)
def test_bad_extra_check_is_a_400(api, bob, business, label, field):
    listed(api, bob, business)
    response = api(bob).post(checks_url(business), {"label": label}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_who_may_record_checks(api, alice, carol, bob, erin, tom, business):
    first = listed(api, bob, business)[0]["id"]
    assert record(api, carol, business, first, "passed").status_code == 404
    assert record(api, alice, business, first, "passed").status_code == 403
    assert record(api, erin, business, first, "passed").status_code == 403
    assert record(api, tom, business, first, "passed").status_code == 200


def test_a_check_of_another_ticket_is_not_found(api, alice, bob, business):
    other = make_ticket_in(
        TicketState.DIAGNOSED,
        requester=alice,
        engineer=bob,
        category=make_category("software-business"),
    )
    theirs = listed(api, bob, other)[0]["id"]
    listed(api, bob, business)
    assert record(api, bob, business, theirs, "passed").status_code == 404
    assert FunctionalCheck.objects.get(pk=theirs).result == ""


def test_checks_are_recorded_only_while_the_ticket_is_worked_on(api, alice, bob, business):
    first = listed(api, bob, business)[0]["id"]
    record_all(api, bob, business)
    api(bob).post(f"/api/v1/tickets/{business.number}/resolve/", RESOLVE, format="json")
    assert record(api, bob, business, first, "failed", "broken").status_code == 409
    extra = api(bob).post(checks_url(business), {"label": "Late one"}, format="json")
    assert extra.status_code == 409


# --- the resolve guard -----------------------------------------------------------------------


def resolve_api(api, user, ticket):
    return api(user).post(f"/api/v1/tickets/{ticket.number}/resolve/", RESOLVE, format="json")


def test_a_failed_check_refuses_resolving_through_the_api(api, bob, business):
    # given
    record_all(api, bob, business)
    second = listed(api, bob, business)[1]
    record(api, bob, business, second["id"], "failed", "approval stuck at step 2")

    # when
    response = resolve_api(api, bob, business)

    # then: 400 naming the solution field, with the check named
    assert response.status_code == 400
    message = " ".join(response.json()["solution"])
    assert "A functional check failed" in message
    assert DEFAULTS_EN[1] in message
    assert Ticket.objects.get(pk=business.pk).state == TicketState.DIAGNOSED


def test_a_failed_check_refuses_resolving_from_the_page(web, api, bob, business):
    record_all(api, bob, business)
    first = listed(api, bob, business)[0]
    record(api, bob, business, first["id"], "failed", "test01 cannot log in")

    response = web(bob).post(f"/tickets/{business.number}/resolve/", RESOLVE)

    assert response.status_code == 400
    page = response.content.decode()
    assert "A functional check failed" in page
    assert 'id="checks-blocking"' in page
    assert Ticket.objects.get(pk=business.pk).state == TicketState.DIAGNOSED


def test_unrecorded_checks_refuse_resolving(api, bob, business):
    # given: three recorded, one not
    rows = listed(api, bob, business)
    for row in rows[:3]:
        record(api, bob, business, row["id"], "passed")

    response = resolve_api(api, bob, business)

    assert response.status_code == 400
    message = " ".join(response.json()["solution"])
    assert "Record every functional check before resolving" in message
    assert DEFAULTS_EN[3] in message


def test_defaults_put_on_the_ticket_and_left_unrecorded_refuse_resolving(api, web, bob, business):
    # given: the handler opened the work view, which puts the category's checks on the ticket
    web(bob).get(f"/tickets/{business.number}/")

    # when
    response = resolve_api(api, bob, business)

    # then
    assert response.status_code == 400
    assert DEFAULTS_EN[0] in " ".join(response.json()["solution"])


def test_defaults_nobody_was_shown_do_not_block_a_scripted_resolution(api, bob, business):
    response = resolve_api(api, bob, business)

    assert response.status_code == 200, response.json()


def test_all_passed_or_not_applicable_resolves(api, bob, business):
    rows = listed(api, bob, business)
    for row in rows[:-1]:
        record(api, bob, business, row["id"], "passed")
    record(api, bob, business, rows[-1]["id"], "na", "No attachments in this flow")

    response = resolve_api(api, bob, business)

    assert response.status_code == 200, response.json()
    assert Ticket.objects.get(pk=business.pk).state == TicketState.RESOLVED


def test_a_ticket_without_checks_resolves_as_before(api, alice, bob):
    ticket = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    assert resolve_api(api, bob, ticket).status_code == 200


# --- the requester and the report -------------------------------------------------------------


def test_the_requester_sees_the_checks_when_asked_to_verify(web, api, alice, bob, business):
    record_all(api, bob, business, note="tried with test01")
    before = web(alice).get(f"/tickets/{business.number}/").content.decode()
    resolve_api(api, bob, business)

    page = web(alice).get(f"/tickets/{business.number}/").content.decode()

    assert 'id="checks-done"' not in before
    assert 'id="checks-done"' in page
    assert 'id="verify-fix"' in page
    for label in DEFAULTS_EN:
        assert label in page
    assert "tried with test01" in page
    assert 'id="checks"' not in page  # the engineer's checklist is not hers


def test_the_service_report_prints_the_checks(web, api, alice, bob, business):
    record_all(api, bob, business)
    resolve_api(api, bob, business)
    report = web(alice).get(f"/tickets/{business.number}/report/").content.decode()
    assert 'id="report-checks"' in report
    for label in DEFAULTS_EN:
        assert label in report


# --- query counts --------------------------------------------------------------------------------


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_the_page_and_the_api_read_the_checks_in_fixed_queries(web, api, alice, bob, business, who):
    # given: the defaults on two tickets, one with 20 more checks of the engineer's own
    small = make_ticket_in(
        TicketState.DIAGNOSED,
        requester=alice,
        engineer=bob,
        category=make_category("software-business"),
    )
    listed(api, bob, small)
    listed(api, bob, business)
    for i in range(20):
        api(bob).post(checks_url(business), {"label": f"Extra check {i}"}, format="json")
    record_all(api, bob, business)
    record_all(api, bob, small)
    person = {"bob": bob, "alice": alice}[who]
    client = web(person)
    for path in ("/tickets/{}/", "/tickets/{}/report/", "/api/v1/tickets/{}/checks/"):
        for ticket in (small, business):  # warm: per-process caches, a first look's writes
            client.get(path.format(ticket.number))
        # when
        few = _queries(client, path.format(small.number))
        many = _queries(client, path.format(business.number))
        # then
        assert len(few) == len(many), (path, "\n".join(few), "\n".join(many))


def test_the_admin_lists_the_default_checks_by_category(web, admin):
    category = make_category("software-business")
    page = web(admin).get(f"/admin/fieldwork/checktemplate/?category__id__exact={category.pk}")
    assert page.status_code == 200
    assert DEFAULTS_EN[0] in page.content.decode()


# --- the checklist's one form ----------------------------------------------------------------


def record_all_url(ticket) -> str:
    return f"/tickets/{ticket.number}/checks/record/"


def test_the_whole_checklist_is_recorded_in_one_post(web, api, bob, business):
    # given: the four defaults, the first already passed
    rows = listed(api, bob, business)
    first, second, third, fourth = (r["id"] for r in rows)
    record(api, bob, business, first, "passed")
    recorded_before = TicketEvent.objects.filter(ticket=business, kind="check_recorded").count()

    # when: one post says passed again for the first, failed for the second, n/a for the
    # third and nothing for the fourth
    response = web(bob).post(
        record_all_url(business),
        {
            f"result-{first}": "passed",
            f"note-{first}": "",
            f"result-{second}": "failed",
            f"note-{second}": "Approval stuck at step 2",
            f"result-{third}": "na",
            f"note-{third}": "No attachments in this flow",
            f"note-{fourth}": "",
        },
    )

    # then: back to the checklist; only the two changes are recorded, each on the timeline
    assert response.status_code == 302
    assert response["Location"].endswith(f"/tickets/{business.number}/#checks")
    results = dict(FunctionalCheck.objects.filter(ticket=business).values_list("pk", "result"))
    assert results == {first: "passed", second: "failed", third: "na", fourth: ""}
    events = TicketEvent.objects.filter(ticket=business, kind="check_recorded")
    assert events.count() == recorded_before + 2
    # each entry names its check in English too, for English readers of the timeline
    latest = events.order_by("-pk")[:2]
    assert {e.data["label_en"] for e in latest} == {DEFAULTS_EN[1], DEFAULTS_EN[2]}
    client = web(bob)
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert "3 of 4 recorded" in page


def test_a_refused_checklist_records_nothing_and_keeps_what_was_typed(web, api, bob, business):
    rows = listed(api, bob, business)
    first, second = rows[0]["id"], rows[1]["id"]

    # when: the first passes, the second fails without saying what failed
    response = web(bob).post(
        record_all_url(business),
        {f"result-{first}": "passed", f"note-{first}": "test01 ok", f"result-{second}": "failed"},
    )

    # then: 400, nothing recorded, the error beside the second, the typed note kept
    assert response.status_code == 400
    assert not FunctionalCheck.objects.filter(ticket=business).exclude(result="").exists()
    page = response.content.decode()
    assert "Nothing was recorded: see the marked checks." in page
    assert f'id="check-{second}-error"' in page and "Say what failed." in page
    assert 'value="test01 ok"' in page
    assert f'name="result-{first}" value="passed" id="check-{first}-passed" checked' in page


@pytest.mark.parametrize("who", ["alice", "erin"], ids=["requester", "another engineer"])
def test_only_the_handler_records_the_checklist(web, api, bob, business, request, who):
    check = listed(api, bob, business)[0]["id"]
    user = request.getfixturevalue(who)
    response = web(user).post(record_all_url(business), {f"result-{check}": "passed"})
    assert response.status_code == 403
    assert FunctionalCheck.objects.get(pk=check).result == ""


def test_a_check_of_another_ticket_is_a_404(web, api, alice, bob, business):
    other = make_ticket_in(TicketState.DIAGNOSED, requester=alice, engineer=bob)
    api(bob).post(checks_url(other), {"label": "Print a test page"}, format="json")
    foreign = FunctionalCheck.objects.get(ticket=other).pk
    listed(api, bob, business)
    response = web(bob).post(record_all_url(business), {f"result-{foreign}": "passed"})
    assert response.status_code == 404
    assert FunctionalCheck.objects.get(pk=foreign).result == ""


def test_an_empty_checklist_post_says_what_to_do(web, api, bob, business):
    listed(api, bob, business)
    response = web(bob).post(record_all_url(business), {})
    assert response.status_code == 400
    assert "Choose a result for at least one check." in response.content.decode()
