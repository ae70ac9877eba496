"""Every route and every API operation, for every role: the outcome declared in access_table.py.

The routes come from the URL resolver and the operations from the OpenAPI schema, so a new
view or endpoint shows up here by itself, and fails until its policy is declared. Each
role's request runs in a savepoint that is rolled back, so all roles meet the same ticket
in the same state; a refused request (403, 404, 409, 405, login) must also leave the
ticket, its timeline, messages and files exactly as they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.security import access_table as table
from tests.security.matrix import (
    ALL_ROUTES,
    API_METHODS,
    OPERATIONS,
    PAGE_METHODS,
    SCHEMA,
    World,
    as_openapi_path,
    body,
    exemption,
    fill,
    page_routes,
    setup_ticket,
)
from tickets.tests.factories import snapshot

pytestmark = pytest.mark.django_db


def _check_case(
    world: World,
    case: table.Case,
    send: Callable[[str, table.Case], Any],
    label: str,
) -> None:
    setup_ticket(world, case)
    before = snapshot(world.ticket)
    wrong = []
    for role in table.ROLES:
        expected = case.expect[role]
        sid = transaction.savepoint()
        try:
            response = send(role, case)
            location = response.get("Location", "")
            if not expected.matches(response.status_code, location):
                wrong.append(
                    f"  {role:<15} expected {expected!r:<13} got {response.status_code} "
                    f"{location}".rstrip()
                )
            elif expected is not table.ALLOW and snapshot(world.ticket) != before:
                wrong.append(f"  {role:<15} was refused ({expected!r}) but the ticket changed")
        finally:
            transaction.savepoint_rollback(sid)
    assert not wrong, (
        f"{label} (ticket {case.state}{', ' + case.note if case.note else ''}):\n"
        + "\n".join(wrong)
    )


def _cases(entry: table.Case | list[table.Case]) -> list[table.Case]:
    return entry if isinstance(entry, list) else [entry]


@pytest.fixture
def page_clients(world: World) -> dict[str, Client]:
    clients = {}
    for role, user in world.users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    return clients


@pytest.fixture
def api_clients(world: World) -> dict[str, APIClient]:
    clients = {}
    for role, user in world.users.items():
        clients[role] = APIClient()
        if user is not None:
            token = Token.objects.create(user=user)
            clients[role].credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return clients


PAGE_PARAMS = [
    pytest.param(route, method, id=f"{route.name or route.route} {method}")
    for route in page_routes()
    for method in PAGE_METHODS
]


@pytest.mark.parametrize(("route", "method"), PAGE_PARAMS)
def test_page_answers_every_role_as_declared(world, page_clients, route, method):
    # given
    if route.name is None:
        pytest.fail(f"URL {route.route!r} has no name: name it and declare it in access_table.py")
    entry = table.PAGES.get(route.name, {}).get(method)
    if entry is None:
        pytest.fail(
            f"{route.name} ({route.route}) {method} is not declared: add it to PAGES in "
            "tests/security/access_table.py with the outcome for every role"
        )

    def send(role: str, case: table.Case) -> Any:
        url = reverse(route.name, kwargs=fill(route.params, world, case))
        client = page_clients[role]
        if method == "GET":
            return client.get(url)
        return client.post(url, body(case, world, role))

    # when / then
    for case in _cases(entry):
        _check_case(world, case, send, f"{method} {route.name}")


API_PARAMS = [pytest.param(method, path, id=f"{method} {path}") for method, path in OPERATIONS]


@pytest.mark.parametrize(("method", "path"), API_PARAMS)
def test_api_operation_answers_every_role_as_declared(world, api_clients, method, path):
    # given
    key = f"{method} {path}"
    entry = table.API.get(key)
    if entry is None:
        pytest.fail(
            f"API operation {key} is not declared: add it to API in "
            "tests/security/access_table.py with the outcome for every role"
        )
    params = re.findall(r"{(\w+)}", path)

    def send(role: str, case: table.Case) -> Any:
        url = path.format(**fill(params, world, case))
        client = api_clients[role]
        if method == "GET":
            return client.get(url)
        fmt = "multipart" if case.files else "json"
        return getattr(client, method.lower())(url, body(case, world, role), format=fmt)

    # when / then
    for case in _cases(entry):
        _check_case(world, case, send, key)


def test_access_table_declares_nothing_that_does_not_exist():
    # given
    page_names = {r.name for r in page_routes()}
    operations = {f"{m} {p}" for m, p in OPERATIONS}

    # then: a stale entry means a route was renamed or removed without updating the policy
    assert set(table.PAGES) - page_names == set()
    assert set(table.API) - operations == set()
    for name, methods in table.PAGES.items():
        assert set(methods) <= set(PAGE_METHODS), name


def test_every_route_is_walked_declared_or_exempt_by_name():
    # given
    walked = page_routes()
    covered_by_api = {r.route for r in ALL_ROUTES if as_openapi_path(r.route) in SCHEMA["paths"]}

    # then: nothing falls between the page matrix, the API matrix and the listed exemptions
    for route in ALL_ROUTES:
        assert route in walked or route.route in covered_by_api or exemption(route), route
    assert len(covered_by_api) >= 10  # the resolver's API routes were matched to the schema


def test_api_paths_answer_405_to_methods_the_schema_does_not_list(world, api_clients):
    # given: the ticket exists and admin may do everything the API offers
    case = table.Case(table.EVERYONE)
    setup_ticket(world, case)
    admin = api_clients["admin"]
    wrong = []

    # when
    for path, item in SCHEMA["paths"].items():
        url = path.format(**fill(re.findall(r"{(\w+)}", path), world, case))
        for method in set(API_METHODS) - {m.upper() for m in item}:
            sid = transaction.savepoint()
            response = getattr(admin, method.lower())(url, {}, format="json")
            transaction.savepoint_rollback(sid)
            if response.status_code != 405:
                wrong.append(f"{method} {path}: {response.status_code}")

    # then
    assert not wrong, "undocumented methods answered:\n" + "\n".join(wrong)


ADMIN_URLS = ["/admin/", "/admin/tickets/ticket/", "/admin/accounts/user/", "/admin/auth/group/"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_needs_staff(world, page_clients, url):
    # when
    answers = {role: page_clients[role].get(url) for role in table.ROLES}

    # then: anonymous and every non-staff role are sent to the admin's login; admin gets in
    login = f"/admin/login/?next={url}"
    for role, response in answers.items():
        if role == "admin":
            assert response.status_code == 200, (role, response.status_code)
            continue
        assert response.status_code in (302, 403), (role, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == login, (role, response["Location"])
        assert b"alice@example.com" not in response.content
