"""Hostile uploads: stored privately under random names, served only as sandboxed downloads.

Every file is sent as a hostile client would send it: a hand-built multipart body, so the
file name and the claimed content type reach the server exactly as written (Django's test
client would tidy the name first). Each is sent through the API and through the reply form
of the ticket page.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tickets import services
from tickets.models import Attachment
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
STORED_NAME = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}(\.[^/.]{1,9})?\.bin$")
NEVER_SERVED_AS = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml"}


class Hostile:
    def __init__(
        self,
        id_: str,
        name: str,
        content: bytes,
        claimed: str,
        encoded: bool = False,
        dropped: bool = False,
    ):
        self.id = id_
        self.dropped = dropped  # Django's multipart parser discards the file outright
        self.name = name  # as it travels in the multipart header
        self.content = content
        self.claimed = claimed  # the Content-Type the client claims for the part
        self.encoded = encoded  # send as RFC 2231 filename*= (can carry CR, LF, NUL)


HOSTILE = [
    Hostile(
        "svg-with-script",
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>',
        "image/svg+xml",
    ),
    Hostile(
        "html", "invoice.html", b"<html><script>fetch('/api/v1/tickets/')</script>", "text/html"
    ),
    Hostile(
        "png-html-polyglot",
        "screenshot.png",
        PNG_HEADER + b"<html><body><script>alert(1)</script></body></html>",
        "image/png",
    ),
    Hostile("html-claiming-png", "photo.png", b"<script>alert(1)</script>", "text/html"),
    Hostile("xhtml", "page.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'/>", "text/xml"),
    Hostile("traversal-slash", "../../x", b"escape attempt", "application/octet-stream"),
    Hostile("traversal-backslash", "..\\..\\x", b"escape attempt", "application/octet-stream"),
    Hostile("absolute-path", "/etc/cron.d/evil", b"* * * * * root id", "text/plain"),
    # (A program itself is refused: test_programs_are_refused_as_attachments…)
    Hostile("windows-path", "C:\\Windows\\evil.log", b"log", "application/octet-stream"),
    Hostile("dot-dot", "..", b"dots", "application/octet-stream", dropped=True),
    Hostile("nul-in-name", "evil\x00.html.txt", b"nul", "text/plain", encoded=True),
    Hostile(
        "crlf-in-name",
        "a\r\nSet-Cookie: sessionid=evil\r\nX: .txt",
        b"crlf",
        "text/plain",
        encoded=True,
    ),
    Hostile("quote-in-name", 'a";x=".html', b"quote", "text/plain", encoded=True),
]


def _multipart(
    field: str, item: Hostile, extra: dict[str, str] | None = None, boundary: str = "B0uNd4ry"
) -> tuple[bytes, str]:
    if item.encoded:
        disposition = f"filename*=UTF-8''{quote(item.name, safe='')}"
    else:
        disposition = f'filename="{item.name}"'
    parts = [
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; {disposition}\r\n'
            f"Content-Type: {item.claimed}\r\n\r\n"
        ).encode()
        + item.content
        + b"\r\n"
    ]
    for key, value in (extra or {}).items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def _files_under(root: Path) -> set[Path]:
    return {p.resolve() for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """MEDIA_ROOT two levels below a folder we watch for files that escape it."""
    settings.MEDIA_ROOT = tmp_path / "private" / "media"
    return Path(settings.MEDIA_ROOT)


def _upload_via_api(client: Client, ticket, item: Hostile):
    body, content_type = _multipart("file", item)
    return client.post(
        f"/api/v1/tickets/{ticket.number}/attachments/", body, content_type=content_type
    )


def _upload_via_page(client: Client, ticket, item: Hostile):
    body, content_type = _multipart("attachments", item, {"body": "see the attached file"})
    return client.post(f"/tickets/{ticket.number}/reply/", body, content_type=content_type)


def _download(client: Client, ticket, attachment: Attachment):
    response = client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def _assert_safe_download(response, body: bytes, item: Hostile) -> None:
    assert response.status_code == 200
    assert body == item.content
    content_type = response["Content-Type"].split(";")[0].strip().lower()
    assert content_type not in NEVER_SERVED_AS, content_type
    assert content_type in {"application/octet-stream", "image/png", "text/plain"}, content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    for header, value in response.items():
        assert "\r" not in value and "\n" not in value and "\x00" not in value, header
    assert not response.cookies, "a header was split into Set-Cookie"
    # the quoted file name cannot end the parameter early and add one of its own
    assert disposition.count('"') in (0, 2), disposition


@pytest.mark.parametrize("via", ["api", "page"])
@pytest.mark.parametrize("item", HOSTILE, ids=[h.id for h in HOSTILE])
def test_hostile_upload_is_stored_privately_and_served_as_a_sandboxed_download(
    alice, bob, carol, web, client, media, tmp_path, item, via
):
    # given
    ticket = make_ticket(requester=alice)
    outside_before = _files_under(tmp_path) - _files_under(media)
    as_alice = web(alice)

    # when
    upload = (_upload_via_api if via == "api" else _upload_via_page)(as_alice, ticket, item)

    # then: a name that is nothing but ".." is dropped by the parser: no file, nothing stored
    if item.dropped:
        assert upload.status_code == (400 if via == "api" else 302)
        assert not Attachment.objects.filter(ticket=ticket).exists()
        assert _files_under(tmp_path) == outside_before
        return

    # then: accepted (201 from the API, redirect back to the ticket from the page)
    assert upload.status_code in (201, 302), upload.content[:300]
    attachment = Attachment.objects.get(ticket=ticket)
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(media.resolve())
    assert STORED_NAME.match(attachment.file.name), attachment.file.name
    assert stored.read_bytes() == item.content
    assert _files_under(tmp_path) - _files_under(media) == outside_before  # nothing escaped
    name = attachment.original_name
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert not re.search(r"[\x00-\x1f\x7f\"]", name), name

    # and: served as a download to those who may see it, to nobody else
    _assert_safe_download(*_download(as_alice, ticket, attachment), item)
    _assert_safe_download(*_download(web(bob), ticket, attachment), item)
    assert _download(web(carol), ticket, attachment)[0].status_code == 404
    anonymous, _ = _download(client, ticket, attachment)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "raw",
    ["a\r\nSet-Cookie: sessionid=evil\r\n.txt", 'a";filename=evil.html', "\t\x0b\n.txt"],
)
def test_download_header_cannot_be_split_whatever_name_the_row_holds(alice, web, media, raw):
    # given: a row written some other way than the upload path (import, future intake)
    ticket = make_ticket(requester=alice)
    (attachment,) = services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("a.txt", b"hello")]
    )
    Attachment.objects.filter(pk=attachment.pk).update(original_name=raw)
    item = Hostile("row", raw, b"hello", "text/plain")

    # when
    response, body = _download(web(alice), ticket, attachment)

    # then
    _assert_safe_download(response, body, item)
    assert re.fullmatch(
        r"attachment; filename=(\"[^\"\\]*\"|\*=utf-8''[^;\s\"]+)", response["Content-Disposition"]
    ), response["Content-Disposition"]


def test_service_never_writes_outside_media_root_whatever_the_name(alice, media, tmp_path):
    # given: names that bypass the multipart parser's own cleaning (IM or e-mail intake)
    ticket = make_ticket(requester=alice)
    names = ["../../x", "..\\..\\x", "/var/spool/evil", "../" * 20 + "etc/passwd", "a/../../b.png"]
    uploads = []
    for raw in names:
        upload = SimpleUploadedFile("placeholder", b"data")
        upload._name = raw  # past the setter, which would basename() it
        uploads.append(upload)

    # when
    stored = services.add_attachments(ticket.pk, actor=alice, files=uploads)

    # then
    assert len(stored) == len(names)
    assert _files_under(tmp_path) == _files_under(media)
    for attachment in stored:
        assert STORED_NAME.match(attachment.file.name), attachment.file.name
        assert Path(attachment.file.path).resolve().is_relative_to(media.resolve())


@pytest.mark.parametrize("via", ["api", "page"])
def test_oversize_upload_is_refused_and_nothing_is_stored(alice, web, media, settings, via):
    # given
    settings.TICKETS_MAX_ATTACHMENT_MB = 1
    ticket = make_ticket(requester=alice)
    item = Hostile("big", "dump.bin", b"\0" * (MB + 1), "application/octet-stream")

    # when
    response = (_upload_via_api if via == "api" else _upload_via_page)(web(alice), ticket, item)

    # then
    assert response.status_code == 400
    assert "1 MB" in response.content.decode()
    assert not ticket.attachments.exists()
    assert ticket.messages.count() == 0
    assert _files_under(media) == set()


def test_attachments_are_unreachable_without_login_through_the_api(alice, media):
    # given
    ticket = make_ticket(requester=alice)
    services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("payslip.txt", b"salary 1234")]
    )
    anonymous = Client()

    # when
    listed = anonymous.get(f"/api/v1/tickets/{ticket.number}/attachments/")
    uploaded = anonymous.post(
        f"/api/v1/tickets/{ticket.number}/attachments/",
        {"file": SimpleUploadedFile("x.txt", b"x")},
    )

    # then
    assert listed.status_code in (401, 403)
    assert uploaded.status_code in (401, 403)
    assert b"payslip" not in listed.content
    assert ticket.attachments.count() == 1


def test_no_public_url_serves_the_stored_file(alice, web, media, settings):
    # given
    ticket = make_ticket(requester=alice)
    (attachment,) = services.add_attachments(
        ticket.pk, actor=alice, files=[SimpleUploadedFile("secret.txt", b"top secret")]
    )
    as_alice = web(alice)

    # when: the storage path tried under the media URL and as a static file
    tries = [
        as_alice.get(f"{settings.MEDIA_URL}{attachment.file.name}"),
        as_alice.get(f"/media/{attachment.file.name}"),
        as_alice.get(f"/static/../{attachment.file.name}"),
    ]

    # then
    for response in tries:
        assert response.status_code == 404
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"top secret" not in content
    api_row = as_alice.get(f"/api/v1/tickets/{ticket.number}/attachments/").json()[0]
    assert api_row["download_url"] == f"/tickets/{ticket.number}/attachments/{attachment.pk}/"
    assert attachment.file.name not in str(api_row)
