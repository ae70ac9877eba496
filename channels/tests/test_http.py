"""Outbound HTTP never reaches the desk's own network, never follows a redirect, and gives up
in time. ``CHANNELS_ALLOWED_HOSTS`` is empty here unless a test lets its local server in."""

from __future__ import annotations

import socket

import pytest

from channels import http

from .http_sink import Answer, Sink


@pytest.fixture(autouse=True)
def _nothing_allowed(settings):
    settings.CHANNELS_ALLOWED_HOSTS = []
    http._pools.clear()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/anything",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "https://localhost/",
    ],
)
def test_private_loopback_and_link_local_targets_are_refused(url):
    with pytest.raises(http.Refused):
        http.post_json(url, {"text": "hello"})


def test_the_local_test_server_is_refused_too_unless_allowed(sink: Sink):
    # when / then: the same server the positive tests use
    with pytest.raises(http.Refused):
        http.get(sink.url("/ping"))
    assert sink.requests == []


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("not an address", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert http.is_public(address) is public


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    # given: a public-looking name that resolves into the desk's network
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(http.socket, "getaddrinfo", resolve)

    # when / then
    with pytest.raises(http.Refused, match="non-public"):
        http.post_json("https://hooks.example.com/robot", {})


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(http.socket, "getaddrinfo", resolve)

    with pytest.raises(http.Refused):
        http.get("https://hooks.example.com/")


def test_other_schemes_and_credentials_in_the_url_are_refused():
    with pytest.raises(http.Refused):
        http.get("file:///etc/passwd")
    with pytest.raises(http.Refused):
        http.get("ftp://example.com/")
    with pytest.raises(http.Refused):
        http.get("https://user:pw@example.com/")


def test_an_allowed_host_is_reached_and_answers(sink: Sink, allow_sink):
    # when
    response = http.post_json(sink.url("/hook?key=abc"), {"text": "你好"})

    # then
    assert response.status == 200
    (seen,) = sink.to("/hook")
    assert seen.method == "POST"
    assert seen.query == {"key": "abc"}
    assert seen.json() == {"text": "你好"}
    assert seen.headers["content-type"].startswith("application/json")


def test_a_redirect_is_a_failure_and_is_not_followed(sink: Sink, allow_sink):
    # given: the hook answers with a redirect to another path of the same server
    sink.answer("/hook", Answer(status=302, headers={"Location": sink.url("/elsewhere")}))

    # when / then
    with pytest.raises(http.HTTPError) as failure:
        http.post_json(sink.url("/hook"), {})
    assert failure.value.status == 302
    assert sink.to("/elsewhere") == []


def test_a_redirect_to_the_metadata_address_is_not_followed(sink: Sink, allow_sink):
    sink.answer(
        "/hook",
        Answer(status=307, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
    )

    with pytest.raises(http.HTTPError):
        http.post_json(sink.url("/hook"), {})
    assert len(sink.requests) == 1


def test_the_connection_goes_to_the_address_that_was_checked(sink: Sink, settings, monkeypatch):
    # given: a name allowed for the test that resolves to the local server
    settings.CHANNELS_ALLOWED_HOSTS = ["sink.test"]
    real = socket.getaddrinfo
    lookups: list[str] = []

    def resolve(host, port, *args, **kwargs):
        if host == "sink.test":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    # when
    http.post_json(f"http://sink.test:{sink.port}/hook", {})

    # then: resolved once (no second lookup a rebinding DNS could answer differently),
    # and the server saw the name it was called by
    assert lookups == ["sink.test"]
    (seen,) = sink.to("/hook")
    assert seen.headers["host"] == f"sink.test:{sink.port}"


def test_a_server_that_does_not_answer_in_time_is_a_network_error(
    sink: Sink, allow_sink, monkeypatch
):
    # given: reading waits 0.3 s here instead of 10 s
    monkeypatch.setattr(http, "READ_TIMEOUT", 0.3)
    sink.answer("/slow", Answer(delay=1.5))

    # when / then
    with pytest.raises(http.NetworkError):
        http.post_json(sink.url("/slow"), {})


def test_the_timeouts_are_three_seconds_to_connect_and_ten_to_read():
    assert (http.CONNECT_TIMEOUT, http.READ_TIMEOUT) == (3.0, 10.0)


def test_an_error_status_carries_the_retry_after(sink: Sink, allow_sink):
    sink.answer("/busy", Answer(status=429, headers={"Retry-After": "42"}))

    with pytest.raises(http.HTTPError) as failure:
        http.post_json(sink.url("/busy"), {})
    assert (failure.value.status, failure.value.retry_after) == (429, 42.0)
