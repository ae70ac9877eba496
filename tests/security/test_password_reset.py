"""Password reset: the mail leaves within the request, its link is built from SITE_URL
(never from the Host header), and requests are throttled per address and per client with
the same answer for known and unknown addresses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"
SENT = "/accounts/password-reset/sent/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
THROTTLED = "Too many password reset requests"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _ask(email: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=ip, **ENGLISH, **extra)


def _csrf_free(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", html)


def test_reset_link_uses_site_url_even_with_a_hostile_host_header(
    alice, mailoutbox, settings, django_capture_on_commit_callbacks
):
    # given: a Host header the attacker chose, and one Django would even accept
    settings.SITE_URL = "https://desk.example.com"
    settings.ALLOWED_HOSTS = ["*"]

    # when: the mail is in the outbox when the response is (no task, no on-commit hook)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _ask(alice.email, HTTP_HOST="evil.example.net")

    # then
    assert response.status_code == 302
    assert callbacks == []
    [message] = mailoutbox
    assert message.to == [alice.email]
    assert "https://desk.example.com/accounts/reset/" in message.body
    assert "evil.example.net" not in message.body
    assert "evil.example.net" not in message.subject


def test_reset_link_ignores_a_forwarded_host_too(alice, mailoutbox, settings):
    # given
    settings.SITE_URL = "https://desk.example.com/"
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["*"]

    # when
    _ask(alice.email, HTTP_X_FORWARDED_HOST="evil.example.net")

    # then
    [message] = mailoutbox
    assert "https://desk.example.com/accounts/reset/" in message.body
    assert "evil.example.net" not in message.body


def test_requests_for_one_address_are_throttled(alice, mailoutbox, settings):
    # given
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 2

    # when: three requests for alice's address from three different clients
    answers = [_ask(alice.email, ip=f"10.0.0.{n}") for n in (1, 2, 3)]

    # then: the third is refused with a friendly message and sends nothing
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert THROTTLED in answers[2].content.decode()
    assert len(mailoutbox) == 2
    # another address is not affected
    assert _ask("carol@example.com", ip="10.0.0.4").status_code == 302


def test_the_throttled_answer_is_the_same_for_known_and_unknown_addresses(alice, settings):
    # given
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 1
    _ask(alice.email, ip="10.0.0.1")
    _ask("nobody@example.com", ip="10.0.0.2")

    # when
    known = _ask(alice.email, ip="10.0.0.3")
    unknown = _ask("nobody@example.com", ip="10.0.0.4")

    # then: only the address typed differs
    assert known.status_code == unknown.status_code == 429
    known_page = _csrf_free(known.content.decode()).replace(alice.email, "ADDRESS")
    unknown_page = _csrf_free(unknown.content.decode()).replace("nobody@example.com", "ADDRESS")
    assert known_page == unknown_page


def test_requests_from_one_client_are_throttled(alice, mailoutbox, settings):
    # given
    settings.PASSWORD_RESET_MAX_PER_CLIENT = 3

    # when: one client tries four addresses
    answers = [_ask(f"person{n}@example.com", ip="10.9.9.9") for n in range(3)]
    fourth = _ask(alice.email, ip="10.9.9.9")
    elsewhere = _ask(alice.email, ip="10.9.9.10")

    # then
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert fourth.status_code == 429
    assert THROTTLED in fourth.content.decode()
    assert elsewhere.status_code == 302
    assert [m.to for m in mailoutbox] == [[alice.email]]


def test_the_throttle_lifts_after_the_window(alice, mailoutbox, settings):
    # given
    settings.PASSWORD_RESET_MAX_PER_ADDRESS = 1
    settings.PASSWORD_RESET_WINDOW_MINUTES = 60
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        assert _ask(alice.email).status_code == 302
        assert _ask(alice.email).status_code == 429

    # when
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        later = _ask(alice.email)

    # then
    assert later.status_code == 302
    assert len(mailoutbox) == 2
    assert later["Location"] == SENT


def test_reset_still_works_while_the_cache_is_unreachable(alice, mailoutbox, monkeypatch):
    # given: the cache (Redis in production) refuses every call
    from django.core.cache import cache

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(cache, "add", refuse)
    monkeypatch.setattr(cache, "incr", refuse)

    # when
    response = _ask("alice@example.com")

    # then: the person is not stuck; the throttle lapses (logged) instead of a 500
    assert response.status_code == 302
    assert len(mailoutbox) == 1
