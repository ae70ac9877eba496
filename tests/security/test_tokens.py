"""API tokens: they die with the password, on deactivation, on "log out everywhere", on
DELETE and after ``API_TOKEN_TTL_DAYS``; an over-long username is a field error, not a 500."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"
PROFILE = "/accounts/profile/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _obtain(username: str, password: str) -> Any:
    return APIClient().post(TOKEN_URL, {"username": username, "password": password})


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> bool:
    response = _token_client(key).get("/api/v1/notifications/")
    assert response.status_code in (200, 401, 403), response.status_code
    return response.status_code == 200


def _web_login(username: str = "alice", password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return client


def _signed_in(client: Client) -> bool:
    response = client.get("/tickets/mine/")
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    return response.status_code == 200


def _reset_password_by_mail(user: User, new_password: str) -> None:
    """The whole reset as a person does it: ask, open the link from the e-mail, choose."""
    mail.outbox.clear()
    browser = Client()
    assert browser.post("/accounts/password-reset/", {"email": user.email}).status_code == 302
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)
    form = browser.get(link)
    assert form.status_code == 302  # to the set-password form (the token leaves the URL)
    done = browser.post(
        form["Location"], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert done["Location"] == LOGIN


# --- password change and reset ----------------------------------------------------------------


def test_password_reset_kills_the_old_token_and_the_old_session(alice):
    # given: alice signed in on the web and holding a token
    web = _web_login()
    old_key = _obtain("alice", PASSWORD).json()["token"]
    assert _works(old_key)
    assert _signed_in(web)

    # when: she resets her password by e-mail
    _reset_password_by_mail(alice, NEW_PASSWORD)

    # then: the old token is refused and the old session is sent to the login page
    assert not _works(old_key)
    page = web.get("/tickets/mine/")
    assert page.status_code == 302
    assert page["Location"].startswith(LOGIN)
    assert not Token.objects.filter(key=old_key).exists()


def test_a_token_asked_for_with_the_new_password_is_a_new_key(alice):
    # given
    old_key = _obtain("alice", PASSWORD).json()["token"]

    # when
    _reset_password_by_mail(alice, NEW_PASSWORD)
    refused = _obtain("alice", PASSWORD)
    answer = _obtain("alice", NEW_PASSWORD)

    # then
    assert refused.status_code == 400
    assert answer.status_code == 200
    new_key = answer.json()["token"]
    assert new_key != old_key
    assert _works(new_key)
    assert not _works(old_key)


def test_setting_the_password_in_code_or_admin_revokes_the_token(alice):
    # given: a token that survives saves of other fields (sign-in stamps, profile edits)
    key = Token.objects.create(user=alice).key
    alice.display_name = "Alice L."
    alice.save()
    alice.last_login = timezone.now()
    alice.save(update_fields=["last_login"])
    assert _works(key)

    # when: set_password + save (the admin form, changepassword, a service)
    alice.set_password(NEW_PASSWORD)
    alice.save()

    # then
    assert not _works(key)
    assert not Token.objects.filter(user=alice).exists()


# --- deactivation -------------------------------------------------------------------------------


def test_deactivation_revokes_the_token_for_good(alice):
    # given
    key = _obtain("alice", PASSWORD).json()["token"]

    # when: deactivated, then reactivated by an admin
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    alice.is_active = True
    alice.save(update_fields=["is_active"])

    # then: the old token does not come back with the account
    assert not Token.objects.filter(key=key).exists()
    assert not _works(key)


# --- expiry -------------------------------------------------------------------------------------


def test_token_expires_after_the_configured_lifetime(alice, settings):
    # given
    settings.API_TOKEN_TTL_DAYS = 30
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        key = _obtain("alice", PASSWORD).json()["token"]

    # when / then: still good a moment before 30 days (asking again gives the same key),
    # refused from then on, and the next request for a token gets a new key
    with time_machine.travel(start + dt.timedelta(days=30, seconds=-1), tick=False):
        assert _works(key)
        assert _obtain("alice", PASSWORD).json()["token"] == key
    with time_machine.travel(start + dt.timedelta(days=30), tick=False):
        assert not _works(key)
        renewed = _obtain("alice", PASSWORD).json()["token"]
    assert renewed != key
    assert not Token.objects.filter(key=key).exists()


def test_token_lifetime_follows_the_setting(alice, settings):
    # given
    settings.API_TOKEN_TTL_DAYS = 2
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        answer = _obtain("alice", PASSWORD).json()

    # then
    assert answer["expires_at"].startswith("2026-03-04")
    with time_machine.travel(start + dt.timedelta(days=2, hours=1), tick=False):
        assert not _works(answer["token"])


# --- revoke -------------------------------------------------------------------------------------


def test_delete_revokes_the_callers_token(alice, bob):
    # given
    alice_key = _obtain("alice", PASSWORD).json()["token"]
    bob_key = _obtain("bob", PASSWORD).json()["token"]
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(alice)

    # when
    forged = session.delete(TOKEN_URL)  # a session without the CSRF token
    response = _token_client(alice_key).delete(TOKEN_URL)

    # then: the forged request changed nothing; hers is gone, bob's is untouched
    assert forged.status_code == 403
    assert response.status_code == 204
    assert not _works(alice_key)
    assert _works(bob_key)


def test_delete_without_credentials_is_refused(alice):
    # given
    key = Token.objects.create(user=alice).key

    # when
    response = APIClient().delete(TOKEN_URL)

    # then
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert _works(key)


# --- the profile page ---------------------------------------------------------------------------


def test_profile_shows_no_token_then_the_token_age(alice):
    # given
    web = _web_login()
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    # when
    before = web.get(PROFILE, **ENGLISH).content.decode()
    with time_machine.travel(start, tick=False):
        Token.objects.create(user=alice)
    with time_machine.travel(start + dt.timedelta(days=3, hours=2), tick=False):
        after = web.get(PROFILE, **ENGLISH).content.decode()

    # then
    assert "You have no API token." in before
    assert "issued 3\xa0days" in after
    assert "/accounts/profile/revoke-token/" in after


def test_profile_revoke_deletes_the_token(alice):
    # given
    web = _web_login()
    key = Token.objects.create(user=alice).key

    # when
    response = web.post("/accounts/profile/revoke-token/", **ENGLISH)

    # then
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert not _works(key)
    assert "You have no API token." in web.get(PROFILE, **ENGLISH).content.decode()


def test_user_menu_links_to_the_profile(alice):
    # when
    page = _web_login().get("/tickets/mine/").content.decode()

    # then
    assert f'href="{PROFILE}"' in page


def test_log_out_everywhere_ends_every_session_and_the_token(alice, carol):
    # given: alice on two devices with a token; carol signed in too
    laptop, phone = _web_login(), _web_login()
    carols = _web_login("carol")
    key = Token.objects.create(user=alice).key
    ticket = make_ticket(requester=alice)

    # when: from her laptop
    response = laptop.post("/accounts/profile/log-out-everywhere/")

    # then: both devices are signed out, the token is dead, carol is untouched
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _signed_in(laptop)
    phone_page = phone.get(f"/tickets/{ticket.number}/")
    assert phone_page.status_code == 302
    assert phone_page["Location"].startswith(LOGIN)
    assert not _works(key)
    assert _signed_in(carols)
    # and she can sign in again as usual
    assert _signed_in(_web_login())


def test_log_out_everywhere_is_post_only(alice):
    # when
    response = _web_login().get("/accounts/profile/log-out-everywhere/")

    # then
    assert response.status_code == 405


# --- over-long usernames ------------------------------------------------------------------------

LONG_USERNAME = "a" * 256


def test_login_with_a_256_character_username_is_a_form_error(alice):
    # when
    client = Client(raise_request_exception=False)
    response = client.post(LOGIN, {"username": LONG_USERNAME, "password": "x"}, **ENGLISH)

    # then: a field error; one character within the limit is just a wrong username
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not _signed_in(client)
    within = client.post(LOGIN, {"username": "a" * 150, "password": "x"}, **ENGLISH)
    assert within.status_code == 200
    assert "at most" not in within.content.decode()


def test_token_with_a_256_character_username_is_a_json_400_naming_username(alice):
    # when
    client = APIClient(raise_request_exception=False)
    response = client.post(TOKEN_URL, {"username": LONG_USERNAME, "password": "x"}, format="json")

    # then
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "username" in response.json()
    assert "token" not in response.json()
    assert "non_field_errors" in _obtain("a" * 150, "x").json()


def test_admin_sign_in_with_a_256_character_username_is_a_form_error(admin):
    # when: the admin's own sign-in page, which django-axes watches too
    client = Client(raise_request_exception=False)
    response = client.post("/admin/login/", {"username": LONG_USERNAME, "password": "x"}, **ENGLISH)

    # then: the page again with the field error, not a 500
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not _signed_in(client)
