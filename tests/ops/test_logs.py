"""One JSON line per request, and no secret in any line, whoever logs it.

Real requests go through the whole middleware stack while every logger writes, at DEBUG,
through the configured handler's formatter and filter (``settings.LOGGING``): a sign-in
with a password, API calls with a token and a session cookie, and the four IM callbacks
signed as their providers sign them (``channels.tests.deliveries``).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import PASSWORD, make_user
from channels.tests import deliveries as d
from servicedesk import jsonlog
from servicedesk.jsonlog import JsonFormatter, RedactFilter


@pytest.fixture
def captured(settings) -> Iterator[io.StringIO]:
    """Everything logged, by every logger at every level, as the console handler writes it."""
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def im_secrets(settings, monkeypatch):
    d.configure(settings)
    # The intake core itself is not run: only what the providers' callbacks carry matters.
    monkeypatch.setattr("channels.intake.core.receive", lambda delivery: None)


def _lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_request_is_one_json_line_with_its_route_status_duration_and_user(captured, alice):
    # given
    client = Client()
    client.force_login(alice)

    # when
    response = client.get("/tickets/mine/", {"state": "open"}, HTTP_X_REQUEST_ID="abc12345-req")

    # then
    requests = [line for line in _lines(captured) if line.get("event") == "request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["request_id"] == "abc12345-req" == response["X-Request-ID"]
    assert line["user_id"] == alice.pk
    assert line["route"] == "tickets:mine"
    assert line["method"] == "GET"
    assert line["status"] == response.status_code == 200
    assert line["path"] == "/tickets/mine/"
    assert line["query"] == "state=open"
    assert line["duration_ms"] > 0
    assert line["db_queries"] > 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_a_request_id_that_does_not_look_like_one_is_replaced(captured, client, db):
    # when
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID='x" injected\n')

    # then
    assert len(response["X-Request-ID"]) == 32
    assert "injected" not in captured.getvalue()


def test_no_password_token_cookie_or_im_signature_is_ever_logged(captured, im_secrets, client, db):
    # given: a person with a password, an API token and a session
    person = make_user("grace", Role.REQUESTER)
    signed_in = Client()

    # when: she signs in, uses the API with her token, and the IMs call back, signed
    signed_in.post("/accounts/login/", {"username": "grace", "password": PASSWORD})
    token = signed_in.post(
        "/api/v1/auth/token/",
        {"username": "grace", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    Client().get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Token {token}")
    Client().get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Bearer {token}")
    signed_in.get("/tickets/mine/")
    slack = d.slack_request(d.slack_event())
    dingtalk = d.dingtalk_request(d.dingtalk_message())
    feishu = d.feishu_request(d.feishu_event())
    wecom = d.wecom_request()
    for request in (slack, dingtalk, feishu, wecom):
        d.post(client, request)
    d.wecom_handshake(client, nonce="nonce-0123456789")
    client.get("/accounts/login/", {"next": "/", "password": PASSWORD, "sign": "s1gn-value-x"})

    # then: the requests were logged ...
    text = captured.getvalue()
    routes = [line.get("route") for line in _lines(captured) if line.get("event") == "request"]
    assert routes.count("channels-api:intake") == 5
    assert "accounts:login" in routes
    # ... and not one secret they carried
    wecom_query = wecom.path.split("?", 1)[1]
    secrets = {
        "password": PASSWORD,
        "token": token,
        "session": session,
        "slack signature": slack.headers["X-Slack-Signature"],
        "dingtalk sign": dingtalk.headers["sign"],
        "feishu signature": feishu.headers["X-Lark-Signature"],
        "wecom msg_signature": dict(p.split("=", 1) for p in wecom_query.split("&"))[
            "msg_signature"
        ],
        "wecom nonce": "nonce-0123456789",
        "sign parameter": "s1gn-value-x",
        "SECRET_KEY": settings.SECRET_KEY,
        "SLACK_SIGNING_SECRET": d.SLACK_SIGNING_SECRET,
        "FEISHU_VERIFICATION_TOKEN": d.FEISHU_VERIFICATION_TOKEN,
        "DINGTALK_APP_SECRET": d.DINGTALK_APP_SECRET,
        "WECOM_ENCODING_AES_KEY": d.WECOM_ENCODING_AES_KEY,
    }
    leaked = {name for name, value in secrets.items() if value and value in text}
    assert leaked == set()
    assert person.pk in {line.get("user_id") for line in _lines(captured)}
    assert "msg_signature=[redacted]" in text
    assert "timestamp=[redacted]" in text


def test_secrets_in_any_message_or_traceback_are_redacted(captured, settings):
    # given: code that logs what it should not
    log = logging.getLogger("careless")
    headers = {
        "HTTP_AUTHORIZATION": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "HTTP_COOKIE": "sessionid=abcdefghijklmnop; csrftoken=qrstuvwxyz012345",
        "HTTP_X_SLACK_SIGNATURE": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21",
        "HTTP_X_LARK_SIGNATURE": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    }

    # when
    log.warning("request headers: %s", headers)
    log.info("GET /api/v1/intake/im/wecom/?msg_signature=5c45ff5e21&timestamp=1409659589")
    log.info("POST /x?sign=UAZkpf2fv&timestamp=1577262236757&ok=1")
    log.info("login with {'username': 'grace', 'password': 'hunter2hunter2'}")
    try:
        raise RuntimeError(f"cannot sign with {settings.SECRET_KEY}")
    except RuntimeError:
        log.exception("signing failed")

    # then
    text = captured.getvalue()
    for secret in (
        "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "abcdefghijklmnop",
        "qrstuvwxyz012345",
        "a2114d57b48eac39b9ad189dd8316235a7b4a8d21",
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "5c45ff5e21",
        "1409659589",
        "UAZkpf2fv",
        "hunter2hunter2",
        settings.SECRET_KEY,
    ):
        assert secret not in text
    assert "ok=1" in text
    assert "RuntimeError: cannot sign with [redacted]" in text
    assert text.count("\n") == 5  # one line each, the traceback inside its line


def test_a_query_keeps_its_ordinary_values():
    assert jsonlog.redact_query("state=open&q=printer&page=2") == "state=open&q=printer&page=2"
    assert jsonlog.redact_query("q=a&access_token=xyz123&echostr=abc") == (
        "q=a&access_token=[redacted]&echostr=[redacted]"
    )
