"""No input gives a server error: hostile values into every API operation and the HTML lists.

The generator walks every operation of the OpenAPI schema (as ``matrix.py`` loads it) and
feeds each query parameter and each body field the values an outside tester tries first —
overlong strings, JSON nested thousands deep, extreme numbers and dates, lone surrogates,
NUL — as an engineer and as a requester, each request in a savepoint that is rolled back.
Every answer must be a 4xx or 2xx in JSON (never 5xx, never an HTML page); a hostile value
in a body field must be refused (4xx), and by name where the value is one no field accepts.
A new operation or field is covered by itself.

The token endpoint's ``username`` is left to tests/security/test_auth.py (django-axes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from assets.tests.factories import make_asset
from fieldwork.services import checks, consents, visits
from knowledge.services import articles as kb_articles
from knowledge.services import scripts as kb_scripts
from tests.security.matrix import OPERATIONS, SCHEMA, owners_notification
from tests.security.world import drill, training_session
from tickets.services import canned, links, watchers
from tickets.tests.factories import make_category, make_ticket, move_to
from vendors.models import Vendor
from vendors.services import cases as vendor_cases

pytestmark = pytest.mark.django_db

NESTED = "[" * 5000
LEFT_TO_OTHERS = {("/api/v1/auth/token/", "username")}  # test_auth.py: 256-char usernames


@dataclass(frozen=True)
class Hostile:
    label: str
    value: Any  # a JSON value, or a raw JSON text when ``raw`` is true
    refused_by: str  # "any": no field accepts it; "date"/"text": only those fields refuse
    raw: bool = False
    names_field: bool = True  # the 400 names the field it was in


BODY_VALUES = [
    Hostile("nul", "a\x00b", "any"),
    Hostile("lone-surrogate", "a\ud800b", "any"),
    Hostile("overlong", "x" * 100_001, "text"),
    Hostile("nested", NESTED, "any", raw=True, names_field=False),
    Hostile("nested-closed", "[" * 3000 + "]" * 3000, "any", raw=True, names_field=False),
    Hostile("object", {"$gt": ""}, "any"),
    Hostile("year-one", "0001-01-01T00:00:00", "date"),
    Hostile("year-one-utc", "0001-01-01T00:00:00Z", "date"),
    Hostile("year-9999-west", "9999-12-31T23:59:59-12:00", "date"),
    Hostile("huge-int", 10**40, "date"),
    Hostile("bigint-edge", 9223372036854775808, "date"),
    Hostile("huge-float", 1e308, "date"),
    Hostile("negative", -1, "date"),
]
QUERY_VALUES = {  # raw, already percent-encoded: a test client cannot encode a surrogate
    "nul": "%00",
    "surrogate-bytes": "%ED%A0%80",
    "overlong": "x" * 20_000,
    "bigint": "922337203685477580",
    "past-bigint": "99999999999999999999999",
    "negative": "-1",
    "float": "1e400",
    "year-one": "0001-01-01T00%3A00%3A00",
    "brackets": quote(NESTED[:2000]),
}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return dict(SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]])
    return schema


def _body_fields(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return dict(_resolve(content[media]["schema"]).get("properties", {}))
    return {}


def _plausible(name: str, field: dict[str, Any], world: dict[str, Any]) -> Any:
    """A value the field accepts, so a hostile value elsewhere meets a body that is valid."""
    field = _resolve(field)
    if name in world["names"]:
        return world["names"][name]
    if "enum" in field:
        return field["enum"][0]
    if field.get("type") == "boolean":
        return False
    if field.get("format") == "date-time":
        return timezone.now().isoformat()
    return "Printer prints blank pages"


@pytest.fixture
def scene(alice, bob):
    category = make_category()
    ticket = move_to(make_ticket(requester=alice), "accepted", engineer=bob)
    vendor = Vendor.objects.create(name="Lenovo Service")
    return {
        "ticket": ticket,
        "params": {
            "number": ticket.number,
            "slug": category.slug,
            "id": owners_notification(ticket).pk,
            # bob's own canned reply, and bob following the ticket
            "reply_id": canned.create_canned_reply(actor=bob, title="Toner", body="Swap it.").pk,
            "username": watchers.add_watcher(ticket.pk, actor=bob, user=bob).user.username,
            # another ticket of alice's, linked to this one
            "other_number": links.link_tickets(
                ticket.pk, actor=bob, other=make_ticket(requester=alice).number
            ).to_ticket.number,
            # bob's request for remote access, waiting for alice's answer
            "consent_id": consents.request_consent(
                ticket.pk, actor=bob, tool="TeamViewer", purpose="Reset", duration_minutes=30
            ).pk,
            # a vendor, and bob's open case with it on the ticket
            "vendor_id": vendor.pk,
            "case_id": vendor_cases.open_case(
                ticket.pk, actor=bob, vendor=vendor.pk, summary="No power"
            ).pk,
            # a functional check bob added to the ticket
            "check_id": checks.add_check(ticket.pk, actor=bob, label="Print a test page").pk,
            # alice's laptop, and bob's visit to her tomorrow
            "asset_id": make_asset("NO500-LT-0001", owner=alice).pk,
            "visit_id": visits.schedule_visit(
                ticket.pk, actor=bob, scheduled_at=timezone.now() + dt.timedelta(days=1)
            ).pk,
            # an action on a post-incident review (its incident is not this <number>: 404)
            "action_id": 1,
            # bob's draft article (a 404 to alice) and his script (a 403 to her)
            "article_id": kb_articles.create_article(by=bob, title="Toner", symptom="Blank").pk,
            "script_id": kb_scripts.create_script(by=bob, name="Ping", body="ping 10.0.0.1").pk,
            # a training session bob attends, and a drill bob has started
            "session_id": training_session(bob),
            "drill_id": drill(ticket, bob),
        },
        "names": {
            "category": category.slug,
            "requester": "alice",
            "assignee": "bob",
            "vendor": vendor.pk,
        },
    }


def _clients(alice, bob) -> Iterator[tuple[str, APIClient]]:
    for role, user in (("engineer", bob), ("requester", alice)):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user=user)
        yield role, client


def _send(client: APIClient, method: str, url: str, body: str | None = None) -> Any:
    sid = transaction.savepoint()
    try:
        if body is None:
            return client.generic(method, url)
        return client.generic(method, url, body, content_type="application/json")
    finally:
        transaction.savepoint_rollback(sid)


def _is_json(response: Any) -> bool:
    kind = response.get("Content-Type", "").split(";")[0]
    return kind == "application/json" or kind.endswith("+json")


def _problem(response: Any, *, refused: bool, field: str | None) -> str | None:
    code = response.status_code
    if code >= 500:
        return f"{code} (server error)"
    if not _is_json(response):
        return f"{code} answered as {response.get('Content-Type')!r}, not JSON"
    if refused and not 400 <= code < 500:
        return f"{code}: the hostile value was accepted"
    if field and code == 400:
        errors = json.loads(response.content)
        if isinstance(errors, dict) and field not in errors and "detail" not in errors:
            return f"400 does not name {field!r}: {errors}"
    return None


def _operation(method: str, path: str) -> dict[str, Any]:
    return dict(SCHEMA["paths"][path][method.lower()])


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_answers_hostile_input_with_json_4xx_never_5xx(method, path, scene, alice, bob):
    # given
    operation = _operation(method, path)
    url = path.format(**scene["params"])
    everything = {n: f for n, f in _body_fields(operation).items() if not f.get("readOnly")}
    base = {name: _plausible(name, field, scene) for name, field in everything.items()}
    fields = {n: f for n, f in everything.items() if (path, n) not in LEFT_TO_OTHERS}
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    wrong: list[str] = []

    for role, client in _clients(alice, bob):
        # A role turned away before its body is read (403, 404, 405 to a plausible body) gets
        # the same answer to every hostile field: the other role's run reaches the fields.
        if fields:
            plain = _send(client, method, url, json.dumps(base))
            problem = _problem(plain, refused=False, field=None)
            if problem:
                wrong.append(f"{role} plausible body: {problem}")
        turned_away = bool(fields) and plain.status_code in (403, 404, 405)
        # when: each body field gets each hostile value, the others stay plausible
        for name, field in {} if turned_away else fields.items():
            kind = _resolve(field)
            is_date = kind.get("format") == "date-time"
            is_text = kind.get("type") == "string" and "enum" not in field
            for hostile in BODY_VALUES:
                if hostile.raw:
                    others = json.dumps({k: v for k, v in base.items() if k != name})
                    body = others[:-1] + (", " if len(others) > 2 else "")
                    body += f"{json.dumps(name)}: {hostile.value}}}"
                else:
                    body = json.dumps({**base, name: hostile.value})
                refused = (
                    hostile.refused_by == "any"
                    or (hostile.refused_by == "date" and is_date)
                    or (hostile.refused_by == "text" and is_text)
                )
                response = _send(client, method, url, body)
                named = hostile.names_field and hostile.refused_by == "any"
                problem = _problem(response, refused=refused, field=name if named else None)
                if problem:
                    wrong.append(f"{role} {name}={hostile.label}: {problem}")
        # when: the whole body is hostile
        if method in ("POST", "PUT", "PATCH"):
            for label, body in (
                ("nested", NESTED),
                ("surrogate-key", '{"\\ud800": 1}'),
                ("surrogate-string", '"\\ud800"'),
                ("huge-number", "9" * 5000),
            ):
                response = _send(client, method, url, body)
                problem = _problem(response, refused=bool(fields), field=None)
                if problem:
                    wrong.append(f"{role} body={label}: {problem}")
        # when: each query parameter gets each hostile value
        for name in queries:
            for label, raw in QUERY_VALUES.items():
                response = _send(client, method, f"{url}?{name}={raw}")
                nul = label == "nul"
                problem = _problem(response, refused=nul, field=name if nul else None)
                if problem:
                    wrong.append(f"{role} ?{name}={label}: {problem}")

    # then
    assert not wrong, f"{method} {path}:\n" + "\n".join(wrong)


# --- the examples from the issue, one by one ------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user=user)
    return client


def test_a_body_of_5000_brackets_is_a_400_in_json(bob):
    # when
    response = _api(bob).generic(
        "POST", "/api/v1/tickets/", NESTED, content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/v1/tickets/", "/api/v1/notifications/"])
def test_a_page_number_past_the_database_range_is_a_404_in_json(bob, path):
    # when
    response = _api(bob).get(f"{path}?page=922337203685477580")

    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00"])
def test_occurred_at_outside_the_calendar_is_a_400_naming_it(alice, moment):
    # given
    category = make_category()
    ticket = make_ticket(requester=alice)
    body = {
        "title": "Printer",
        "description": "Blank pages",
        "category": category.slug,
        "impact": "single",
        "urgency": "abnormal",
        "occurred_at": moment,
    }

    # when
    created = _api(alice).post("/api/v1/tickets/", body, format="json")
    patched = _api(alice).patch(
        f"/api/v1/tickets/{ticket.number}/", {"occurred_at": moment}, format="json"
    )

    # then
    for response in (created, patched):
        assert response.status_code == 400, response.content
        assert "occurred_at" in response.json()


def test_occurred_at_in_year_one_on_the_form_is_a_form_error(alice, web):
    # given
    category = make_category()
    client = web(alice)
    client.raise_request_exception = False
    form = {
        "title": "Printer",
        "description": "Blank pages",
        "category": category.pk,
        "impact": "single",
        "urgency": "abnormal",
        "occurred_at": "0001-01-01 00:00",
    }

    # when
    response = client.post("/tickets/new/", form)

    # then
    assert response.status_code in (200, 400)
    assert "occurred_at" in response.context["form"].errors


@pytest.mark.parametrize("field", ["impact", "urgency", "category", "title"])
def test_a_lone_surrogate_in_a_field_is_a_400_naming_that_field(alice, field):
    # given
    body = {"title": "Printer", "description": "Blank", "impact": "single", "urgency": "abnormal"}
    body["category"] = make_category().slug
    body[field] = "\ud800"

    # when
    response = _api(alice).generic(
        "POST", "/api/v1/tickets/", json.dumps(body), content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_nul_in_a_notification_filter_is_a_400_naming_it(alice):
    # when
    response = _api(alice).get("/api/v1/notifications/?kind=%00")

    # then
    assert response.status_code == 400
    assert "kind" in response.json()


def test_an_unknown_api_path_is_a_404_in_json(alice):
    # when
    response = _api(alice).get("/api/v1/no-such-thing/")

    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_a_wrong_method_on_the_api_pages_is_a_405_in_json(alice, path):
    # when
    response = _api(alice).post(path)

    # then
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


def test_a_json_body_over_the_memory_limit_is_a_413_in_json(alice, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"body": "x" * 2000})
    ticket = make_ticket(requester=alice)

    # when
    response = _api(alice).generic(
        "POST", f"/api/v1/tickets/{ticket.number}/messages/", body, content_type="application/json"
    )

    # then
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/json"


def test_a_server_error_under_the_api_is_answered_in_json(alice, monkeypatch):
    # given: a defect anywhere below the view
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("defect")

    monkeypatch.setattr("tickets.selectors.ticket_list_for", broken)

    # when
    response = _api(alice).get("/api/v1/tickets/")

    # then
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


# --- the HTML lists ---------------------------------------------------------------------------

PAGE_VALUES = [
    "page=922337203685477580",
    "page=99999999999999999999999999",
    "page=-1",
    "page=%00",
    "page=1e400",
    "page=" + "9" * 5000,
]
FILTER_VALUES = [
    f"{name}={raw}"
    for name in (
        "q",
        "assignee",
        "category",
        "site",
        "state",
        "priority",
        "waiting_on",
        "sort",
        "open",
        "mine",
        "unassigned",
    )
    for raw in ("%00", "%ED%A0%80", "x" * 5000, "a%00b")
]


def _page_client(web: Any, user: Any) -> Client:
    client: Client = web(user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("query", PAGE_VALUES + FILTER_VALUES)
def test_the_queue_answers_hostile_pages_and_filters_without_a_server_error(bob, web, query):
    # given
    make_ticket(requester=bob)

    # when
    response = _page_client(web, bob).get(f"/tickets/queue/?{query}")

    # then
    assert response.status_code == 200, query
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("query", PAGE_VALUES)
def test_my_tickets_answers_hostile_pages_without_a_server_error(alice, web, query):
    # given
    make_ticket(requester=alice)

    # when
    response = _page_client(web, alice).get(f"/tickets/mine/?{query}")

    # then
    assert response.status_code == 200, query
