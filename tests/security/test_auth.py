"""Sessions and sign-in: throttling, deactivation, password reset, CSRF, deploy checks, cookies."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from tests.security import access_table as table
from tests.security.deploy import manage
from tests.security.matrix import World, body, fill, page_routes, setup_ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _login(client: Client, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **ENGLISH
    )


def _signed_in(client: Client) -> bool:
    response = client.get("/tickets/mine/")
    return response.status_code == 200


# --- login throttling (django-axes) --------------------------------------------------------------


def test_five_failures_lock_the_username_from_that_address_with_a_clear_429(alice, client):
    # when: four wrong passwords are only wrong passwords
    for _ in range(4):
        response = _login(client, "alice", "wrong password")
        assert response.status_code == 200
        assert "Too many" not in response.content.decode()
    fifth = _login(client, "alice", "wrong password")
    right = _login(client, "alice", PASSWORD)

    # then: the fifth locks, and even the right password is refused with the lockout page
    for response in (fifth, right):
        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many failed sign-in attempts" in page
        assert reverse("accounts:password_reset") in page
    assert not _signed_in(client)


def test_lockout_is_per_username_and_address(alice, carol, client):
    # given
    for _ in range(5):
        _login(client, "alice", "wrong password")

    # when
    carol_same_address = _login(Client(), "carol", PASSWORD)
    alice_other_address = _login(Client(), "alice", PASSWORD, ip="10.9.8.7")

    # then
    assert carol_same_address.status_code == 302
    assert alice_other_address.status_code == 302


def test_lockout_ends_after_the_cool_off(alice, client):
    # given
    for _ in range(5):
        _login(client, "alice", "wrong password")
    assert _login(client, "alice", PASSWORD).status_code == 429

    # when
    with time_machine.travel(dt.timedelta(minutes=16)):
        response = _login(client, "alice", PASSWORD)

    # then
    assert response.status_code == 302
    assert _signed_in(client)


def test_api_token_endpoint_shares_the_lockout(alice):
    # given
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})

    # when
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})

    # then
    assert response.status_code == 429
    assert "token" not in response.json()
    assert not Token.objects.filter(user=alice).exists()


# --- deactivation ------------------------------------------------------------------------------


def test_deactivated_user_loses_session_and_token_on_the_next_request(alice):
    # given: alice signed in on the web and holding an API token
    web = Client()
    assert _login(web, "alice", PASSWORD).status_code == 302
    token = Token.objects.create(user=alice).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    ticket = make_ticket(requester=alice)
    assert web.get(f"/tickets/{ticket.number}/").status_code == 200
    assert api.get(f"/api/v1/tickets/{ticket.number}/").status_code == 200

    # when: an admin deactivates her
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    # then
    page = web.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 302
    assert page["Location"].startswith(LOGIN)
    answer = api.get(f"/api/v1/tickets/{ticket.number}/")
    assert answer.status_code in (401, 403)
    assert ticket.number not in answer.content.decode()
    assert _login(Client(), "alice", PASSWORD).status_code == 200  # the form, not a redirect


def test_logout_ends_the_session_on_the_server(alice):
    # given
    web = Client()
    _login(web, "alice", PASSWORD)
    stolen = web.cookies[django_settings.SESSION_COOKIE_NAME].value

    # when
    web.post("/accounts/logout/")
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = stolen

    # then
    assert not _signed_in(replay)


# --- password reset ----------------------------------------------------------------------------


def _csrf_free(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", html)


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(alice, mailoutbox):
    # given
    alice_reset, nobody_reset = Client(), Client()

    # when
    known = alice_reset.post("/accounts/password-reset/", {"email": alice.email}, **ENGLISH)
    unknown = nobody_reset.post(
        "/accounts/password-reset/", {"email": "nobody@example.com"}, **ENGLISH
    )

    # then: the same answer, and a mail only to the real address
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    assert known.content == unknown.content
    known_page = alice_reset.get(known["Location"], **ENGLISH).content.decode()
    unknown_page = nobody_reset.get(unknown["Location"], **ENGLISH).content.decode()
    assert _csrf_free(known_page) == _csrf_free(unknown_page)
    assert [m.to for m in mailoutbox] == [[alice.email]]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_password_reset_sends_nothing_for_a_deactivated_account(alice, mailoutbox):
    # given
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    # when
    response = Client().post("/accounts/password-reset/", {"email": alice.email})

    # then
    assert response.status_code == 302
    assert mailoutbox == []


# --- CSRF --------------------------------------------------------------------------------------


# Page actions that take no CSRF token, each with why that is safe.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: the mail client POSTs from outside any session; the
    # signed per-person, per-kind URL is the proof, and it can only turn e-mail off.
    "notifications:unsubscribe",
}


def _unsafe_page_actions() -> list[Any]:
    """Every page route with a POST that someone may send, with that someone and a body."""
    found = []
    for route in page_routes():
        if route.name in CSRF_EXEMPT:
            continue
        entry = table.PAGES.get(route.name or "", {}).get("POST")
        for case in entry if isinstance(entry, list) else [entry] if entry else []:
            roles = [r for r in table.ROLES if case.expect[r] is table.ALLOW]
            if roles:
                found.append(pytest.param(route, case, roles[-1], id=route.name))
                break
    return found


UNSAFE = _unsafe_page_actions()


def _csrf_client(world: World, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _token_from_page(client: Client) -> str:
    """The token as the browser has it: in the page's hx-headers (the cookie is HttpOnly)."""
    page = client.get(LOGIN if "_auth_user_id" not in client.session else "/tickets/mine/")
    return re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1)


@pytest.mark.parametrize(("route", "case", "role"), UNSAFE)
def test_every_unsafe_page_action_needs_the_csrf_token_htmx_included(world, route, case, role):
    # given
    setup_ticket(world, case)
    url = reverse(route.name, kwargs=fill(route.params, world, case))
    client = _csrf_client(world, role)
    token = _token_from_page(client)

    # when
    plain = client.post(url, body(case, world, role))
    htmx = client.post(url, body(case, world, role), HTTP_HX_REQUEST="true")
    with_token = client.post(
        url, body(case, world, role), HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )

    # then
    assert plain.status_code == 403, plain.status_code
    assert htmx.status_code == 403, htmx.status_code
    assert with_token.status_code not in (403, 400), with_token.content[:300]


def test_unsafe_actions_are_covered(world):
    # The list above is derived from the access table: every action page is in it.
    names = {p.values[0].name for p in UNSAFE}
    assert {"tickets:accept", "tickets:reply", "tickets:new", "accounts:language"} <= names
    assert {"accounts:logout", "notifications:read", "tickets:assign"} <= names


def test_api_with_a_session_needs_the_csrf_token_but_a_token_client_does_not(alice):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    ticket = make_ticket(requester=alice)
    url = f"/api/v1/tickets/{ticket.number}/messages/"
    token = _token_from_page(client)
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")

    # when
    without = client.post(url, {"body": "hi"}, content_type="application/json")
    with_token = client.post(
        url, {"body": "hi"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    token_auth = api.post(url, {"body": "hi"}, format="json")

    # then
    assert without.status_code == 403
    assert "CSRF" in without.content.decode()
    assert with_token.status_code == 201
    assert token_auth.status_code == 201


# --- production settings -----------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings():
    # when
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_would_catch_a_weakened_setting():
    # The check above can fail: switch off the HTTPS redirect and it does.
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    # The deploy check production runs; the processes themselves refuse to start too
    # (tests/security/test_production_settings.py), while tooling that signs nothing runs.
    result = manage("check", "--deploy", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- cookies -----------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_http_only_and_same_site(alice):
    # when
    client = Client()
    login_page = client.get(LOGIN)
    response = _login(client, "alice", PASSWORD)

    # then
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    csrf = login_page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True
    assert csrf["samesite"].lower() == "lax"


# --- redirects and headers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com"]
)
def test_login_and_language_never_redirect_off_site(alice, target):
    # when
    client = Client()
    login = client.post(
        f"{LOGIN}?next={target}", {"username": "alice", "password": PASSWORD, "next": target}
    )
    language = client.post("/accounts/language/", {"language": "en", "next": target})

    # then
    assert login.status_code == 302
    assert "evil.example.com" not in login["Location"]
    assert language.status_code == 302
    assert language["Location"] == "/"


def test_pages_carry_the_security_headers(alice, web):
    # when
    response = web(alice).get("/tickets/mine/")

    # then
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
