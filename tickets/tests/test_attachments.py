"""Uploads: size limit, hostile names, active content served only as a private download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services
from tickets.attachments import clean_filename
from tickets.choices import EventKind
from tickets.models import Attachment
from tickets.tests.factories import make_ticket, snapshot

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _upload_url(ticket):
    return f"/api/v1/tickets/{ticket.number}/attachments/"


def _download(client, ticket, attachment_id):
    response = client.get(f"/tickets/{ticket.number}/attachments/{attachment_id}/")
    # Reading streaming_content to the end closes the file (the test client wraps it so
    # that closing does not close the test's database connection, as response.close() would).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def _stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _multipart(filename: str, content: bytes, boundary: str = "XbOuNdArYx") -> tuple[bytes, str]:
    """A hand-built body: the file name reaches the server exactly as a hostile client sent it."""
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_30_mb_attachment_is_400_naming_file_and_nothing_is_stored(alice, api, settings):
    # given
    settings.TICKETS_MAX_ATTACHMENT_MB = 20
    ticket = make_ticket(requester=alice)
    before = snapshot(ticket)
    big = SimpleUploadedFile("dump.bin", b"\0" * (30 * MB))

    # when
    response = api(alice).post(_upload_url(ticket), {"file": big}, format="multipart")

    # then
    assert response.status_code == 400
    assert "file" in response.json()
    assert "20" in " ".join(response.json()["file"])
    assert snapshot(ticket) == before
    assert _stored_files(settings.MEDIA_ROOT) == []


def test_attachment_at_the_limit_is_accepted_and_one_byte_more_is_not(alice, api, settings):
    # given
    settings.TICKETS_MAX_ATTACHMENT_MB = 1
    ticket = make_ticket(requester=alice)
    client = api(alice)

    # when
    at_limit = client.post(
        _upload_url(ticket), {"file": SimpleUploadedFile("a.log", b"a" * MB)}, format="multipart"
    )
    over = client.post(
        _upload_url(ticket),
        {"file": SimpleUploadedFile("b.log", b"b" * (MB + 1))},
        format="multipart",
    )

    # then
    assert at_limit.status_code == 201
    assert over.status_code == 400
    assert "file" in over.json()
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["a.log"]


def test_upload_without_file_is_400_naming_file(alice, api):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = api(alice).post(_upload_url(ticket), {}, format="multipart")

    # then
    assert response.status_code == 400
    assert "file" in response.json()


def test_empty_file_is_400_naming_file(alice, api):
    # given
    ticket = make_ticket(requester=alice)

    # when
    response = api(alice).post(
        _upload_url(ticket), {"file": SimpleUploadedFile("empty.txt", b"")}, format="multipart"
    )

    # then
    assert response.status_code == 400
    assert "file" in response.json()


def test_traversal_file_name_is_stored_under_media_root_as_plain_name(alice, api, settings):
    # given
    ticket = make_ticket(requester=alice)
    body, content_type = _multipart("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n")

    # when
    response = api(alice).post(_upload_url(ticket), body, content_type=content_type)

    # then
    assert response.status_code == 201, response.content
    assert response.json()[0]["original_name"] == "passwd"
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.original_name == "passwd"
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert stored.read_bytes() == b"root:x:0:0:root:/root:/bin/bash\n"
    assert "passwd" not in attachment.file.name
    assert not Path("/etc/passwd").read_bytes().startswith(b"root:x:0:0:root:/root:/bin/bash\nX")


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/absolute/path/report.pdf", "report.pdf"),
        (".htaccess", "htaccess"),
        ("..", "file"),
        ("", "file"),
        ("a\x00b\x1f.txt", "a_b_.txt"),
        ('what?"<>|*.png', "what______.png"),
        ("屏幕截图 2026-11-24.png", "屏幕截图 2026-11-24.png"),
    ],
)
def test_service_cleans_hostile_file_names(alice, settings, raw, cleaned):
    # given
    ticket = make_ticket(requester=alice)
    upload = SimpleUploadedFile("placeholder", b"data")
    upload._name = raw  # past the setter, which would basename() it: test our own cleaning

    # when
    (attachment,) = services.add_attachments(ticket.pk, actor=alice, files=[upload])

    # then
    assert attachment.original_name == cleaned
    assert clean_filename(raw) == cleaned
    assert Path(attachment.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_very_long_file_name_is_cut_keeping_the_extension(alice):
    # given
    ticket = make_ticket(requester=alice)
    upload = SimpleUploadedFile("x", b"data")
    upload._name = "n" * 500 + ".pdf"

    # when
    (attachment,) = services.add_attachments(ticket.pk, actor=alice, files=[upload])

    # then
    assert len(attachment.original_name) <= 200
    assert attachment.original_name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<html><script>alert(document.cookie)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
    ],
)
def test_active_content_is_stored_and_served_only_as_a_download(
    alice, carol, bob, api, web, name, content
):
    # given
    ticket = make_ticket(requester=alice)
    response = api(alice).post(
        _upload_url(ticket), {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 201
    attachment_id = response.json()[0]["id"]
    assert response.json()[0]["content_type"] == "application/octet-stream"

    # when
    download, body = _download(web(alice), ticket, attachment_id)

    # then
    assert download.status_code == 200
    assert body == content
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert name in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert _download(web(carol), ticket, attachment_id)[0].status_code == 404
    assert _download(web(bob), ticket, attachment_id)[0].status_code == 200


def test_attachment_of_another_ticket_is_404_by_id_guessing(alice, carol, web):
    # given
    mine = make_ticket(requester=carol)
    theirs = make_ticket(requester=alice)
    (attachment,) = services.add_attachments(
        theirs.pk, actor=alice, files=[SimpleUploadedFile("a.txt", b"secret")]
    )

    # when: carol puts alice's attachment id under her own ticket number
    response, _body = _download(web(carol), mine, attachment.pk)

    # then
    assert response.status_code == 404


def test_upload_writes_an_event_naming_the_clean_file(alice, api):
    # given
    ticket = make_ticket(requester=alice)

    # when
    api(alice).post(
        _upload_url(ticket), {"file": SimpleUploadedFile("log.txt", b"boom")}, format="multipart"
    )

    # then
    event = ticket.events.get(kind=EventKind.ATTACHMENT_ADDED)
    assert event.kind == EventKind.ATTACHMENT_ADDED
    assert event.data == {"files": ["log.txt"]}
