"""Upload quotas: per request (files, megabytes), per ticket, per person per day, and the
early refusal of a body whose ``Content-Length`` is already over the limit.

Every quota is driven through the ticket page's reply form and through the API's upload
endpoint (the new-ticket form for the per-request count too). A refusal is a 400 naming the
field and the limit, and stores nothing: no file, no message, and what was saved before
stays. The limits are made small with ``settings`` (they are read at call time).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from tickets import services
from tickets.models import Attachment, Ticket
from tickets.tests.factories import make_category, make_ticket

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SHANGHAI = ZoneInfo("Asia/Shanghai")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def small_limits(settings):
    """1 MB a file, 3 files and 2 MB a request, 3 MB a ticket, 100 MB a day."""
    settings.TICKETS_MAX_ATTACHMENT_MB = 1
    settings.ATTACHMENTS_PER_REQUEST = 3
    settings.ATTACHMENTS_REQUEST_MB = 2
    settings.ATTACHMENTS_TICKET_MB = 3
    settings.ATTACHMENTS_USER_DAY_MB = 100
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 6
    return settings


def _files(count: int, size: int, stem: str = "log") -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"{stem}{i}.txt", b"x" * size) for i in range(count)]


def _via_page(client: Client, ticket: Ticket, files: list[SimpleUploadedFile]):
    return client.post(
        f"/tickets/{ticket.number}/reply/",
        {"body": "my words, typed once", "attachments": files},
        **ENGLISH,
    )


def _via_api(client: Client, ticket: Ticket, files: list[SimpleUploadedFile]):
    return client.post(f"/api/v1/tickets/{ticket.number}/attachments/", {"file": files}, **ENGLISH)


def _assert_refused(response, via: str, *, names: str) -> None:
    """400, the field named, the limit in the words; the page keeps what was typed."""
    assert response.status_code == 400, response.content[:500]
    if via == "api":
        body = response.json()
        assert list(body) == ["file"], body
        assert names in body["file"][0], body
    else:
        errors = response.context["reply_form"].errors
        assert names in " ".join(errors["attachments"]), errors
        assert "my words, typed once" in response.content.decode()


def _assert_accepted(response, via: str) -> None:
    assert response.status_code == (201 if via == "api" else 302), response.content[:500]


SEND = {"page": _via_page, "api": _via_api}


@pytest.mark.parametrize("via", ["page", "api"])
def test_more_files_than_one_request_may_carry_are_refused_naming_the_limit(
    alice, web, small_limits, via
):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = SEND[via](web(alice), ticket, _files(4, 10))

    # then
    _assert_refused(response, via, names="3")
    assert not ticket.attachments.exists()
    assert ticket.messages.count() == 0


def test_new_ticket_form_with_too_many_files_is_refused_and_files_nothing(alice, web, small_limits):
    # given
    form = {
        "title": "Printer prints blank pages",
        "description": "Every page comes out blank",
        "impact": "single",
        "urgency": "abnormal",
        "category": str(make_category("hardware-printer").pk),
    }

    # when
    response = web(alice).post("/tickets/new/", {**form, "attachments": _files(4, 10)}, **ENGLISH)

    # then
    assert response.status_code == 400
    assert "3" in " ".join(response.context["form"].errors["attachments"])
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("via", ["page", "api"])
def test_far_too_many_files_are_cut_off_by_the_parser_and_nothing_is_stored(alice, web, via):
    # given: the shipped limits (10 a request; the parser stops after twice that)
    ticket = make_ticket(requester=alice)

    # when
    response = SEND[via](web(alice), ticket, _files(25, 10))

    # then
    assert response.status_code == 400
    assert not ticket.attachments.exists()
    assert ticket.messages.count() == 0


@pytest.mark.parametrize("via", ["page", "api"])
def test_files_over_the_request_total_are_refused_naming_the_limit(alice, web, small_limits, via):
    # given: each file within its own 1 MB, together over the request's 2 MB
    ticket = make_ticket(requester=alice)

    # when
    response = SEND[via](web(alice), ticket, _files(3, int(0.8 * MB)))

    # then
    _assert_refused(response, via, names="2 MB")
    assert not ticket.attachments.exists()


@pytest.mark.parametrize("via", ["page", "api"])
def test_files_over_the_ticket_total_are_refused_and_earlier_files_stay(
    alice, web, small_limits, via
):
    # given: 2.85 MB already on the ticket (limit 3 MB)
    ticket = make_ticket(requester=alice)
    services.add_attachments(ticket.pk, actor=alice, files=_files(2, int(0.95 * MB), "a"))
    services.add_attachments(ticket.pk, actor=alice, files=_files(1, int(0.95 * MB), "b"))
    before = set(ticket.attachments.values_list("pk", "size"))

    # when
    response = SEND[via](web(alice), ticket, _files(1, int(0.3 * MB)))

    # then
    _assert_refused(response, via, names="3 MB")
    assert set(ticket.attachments.values_list("pk", "size")) == before
    for attachment in ticket.attachments.all():
        assert attachment.file.size == attachment.size  # the stored files are still there
    # and: the same file goes to another ticket
    other = make_ticket(requester=alice)
    _assert_accepted(SEND[via](web(alice), other, _files(1, int(0.3 * MB))), via)


@pytest.mark.parametrize("via", ["page", "api"])
def test_daily_total_is_counted_per_day_in_the_desks_time_zone(
    alice, carol, web, small_limits, via
):
    # given: 1.9 MB uploaded at 23:50 Beijing time on two tickets (limit 2 MB a day)
    small_limits.ATTACHMENTS_USER_DAY_MB = 2
    small_limits.ATTACHMENTS_TICKET_MB = 100
    first, second, third = (make_ticket(requester=alice) for _ in range(3))
    evening = dt.datetime(2026, 3, 10, 23, 50, tzinfo=SHANGHAI)
    with time_machine.travel(evening, tick=False):
        services.add_attachments(first.pk, actor=alice, files=_files(1, int(0.95 * MB)))
        services.add_attachments(second.pk, actor=alice, files=_files(1, int(0.95 * MB)))

    # when: five minutes before midnight, and ten minutes after (the same UTC date)
    with time_machine.travel(evening + dt.timedelta(minutes=5), tick=False):
        late = SEND[via](web(alice), third, _files(1, int(0.3 * MB)))
    with time_machine.travel(evening + dt.timedelta(minutes=15), tick=False):
        next_day = SEND[via](web(alice), third, _files(1, int(0.3 * MB)))

    # then
    _assert_refused(late, via, names="2 MB")
    _assert_accepted(next_day, via)
    assert third.attachments.count() == 1
    assert Attachment.objects.filter(uploaded_by=alice).count() == 3
    # and: the total is the person's, not the desk's: carol uploads late that evening too
    with time_machine.travel(evening + dt.timedelta(minutes=5), tick=False):
        theirs = SEND[via](web(carol), make_ticket(requester=carol), _files(1, int(0.3 * MB)))
    _assert_accepted(theirs, via)


# --- the early refusal: Content-Length over the limit, body never read ---------------------


class _Wire(io.RawIOBase):
    """The socket's body stream: counts what the application reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), 64 * 1024)
        buffer[:n] = b"x" * n
        self.read_bytes += n
        return n


def _send_headers_only(
    path: str, *, length: int, cookie: str = ""
) -> tuple[int, dict, bytes, _Wire]:
    """Call the WSGI application the way a server would for a request whose body is still
    on the wire; returns status, headers, body and how much of the body was read."""
    wire = _Wire()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT_LANGUAGE": "en",
        "HTTP_COOKIE": cookie,
        "CONTENT_TYPE": "multipart/form-data; boundary=B0uNd4ry",
        "CONTENT_LENGTH": str(length),
        "wsgi.input": io.BufferedReader(wire),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    seen: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    # As Django's test client does: the test's transaction must outlive the "request".
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], seen["headers"], body, wire


@pytest.fixture
def view_must_not_run(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the view ran")

    monkeypatch.setattr(services, "add_attachments", boom)
    monkeypatch.setattr(services, "add_message", boom)


@pytest.mark.parametrize("via", ["page", "api"])
def test_body_announced_over_the_limit_is_refused_with_413_before_it_is_read(
    alice, small_limits, view_must_not_run, via
):
    # given: a signed-in requester announcing 60 MB (limit 2 MB); the body never arrives
    ticket = make_ticket(requester=alice)
    client = Client()
    client.force_login(alice)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    path = (
        f"/api/v1/tickets/{ticket.number}/attachments/"
        if via == "api"
        else f"/tickets/{ticket.number}/reply/"
    )

    # when
    status, headers, body, wire = _send_headers_only(path, length=60 * MB, cookie=cookie)

    # then
    assert status == 413
    assert wire.read_bytes == 0
    if via == "api":
        assert headers["Content-Type"] == "application/json"
        answer = json.loads(body)
        assert answer["limit_mb"] == 2
        assert "2 MB" in answer["detail"]
    else:
        assert headers["Content-Type"].startswith("text/html")
        assert b"2 MB" in body
        assert b"<html" in body
    assert not ticket.attachments.exists()


def test_anonymous_body_over_the_limit_is_refused_before_login_is_checked(small_limits):
    # when
    status, _headers, _body, wire = _send_headers_only("/accounts/login/", length=60 * MB)
    within, _headers, _body, _wire = _send_headers_only("/accounts/login/", length=1000)

    # then: refused unread; a body within the limit goes on to the login view
    assert status == 413
    assert wire.read_bytes == 0
    assert within != 413


def test_a_flood_of_100_files_is_refused_as_json_on_the_api_and_stores_nothing(alice, web):
    # given: default limits (10 files a request); Django's parser stops at twice that
    ticket = make_ticket(requester=alice)

    # when
    response = _via_api(web(alice), ticket, _files(100, 10))

    # then: a 4xx the API's clients can read, and nothing stored
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "At most 10 files at once" in response.json()["file"][0]
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_a_flood_of_100_files_on_the_page_is_a_readable_refusal(alice, web):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = _via_page(web(alice), ticket, _files(100, 10))

    # then: no 500, nothing stored
    assert 400 <= response.status_code < 500
    assert not Attachment.objects.filter(ticket=ticket).exists()
