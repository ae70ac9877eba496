"""The tools and scripts library (R6.4): staff only, every download logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge.models import Script, ScriptDownload
from knowledge.services import scripts as services

pytestmark = pytest.mark.django_db


def _script(owner, **overrides):
    fields = {
        "name": "网络连通性测试",
        "language": "batch",
        "body": "@echo off\r\nping -n 4 10.0.0.1\r\n",
        "usage": "在用户电脑上运行，把输出发回工单。",
        "platforms": ["Windows 10", "Windows 11"],
        "version": "1.2",
        **overrides,
    }
    return services.create_script(by=owner, **fields)


def test_an_engineer_adds_a_script_with_its_text_kept_exactly(bob):
    # when
    script = _script(bob)

    # then
    script.refresh_from_db()
    assert script.owner == bob and script.kind == "script"
    assert script.body == "@echo off\r\nping -n 4 10.0.0.1\r\n"
    assert script.platforms == ["Windows 10", "Windows 11"]


def test_a_script_may_be_an_uploaded_file(bob):
    # when
    script = _script(
        bob, body="", file=SimpleUploadedFile("net-check.ps1", b"Test-NetConnection 10.0.0.1")
    )

    # then
    assert script.original_name == "net-check.ps1"
    with script.file.open("rb") as handle:
        assert handle.read() == b"Test-NetConnection 10.0.0.1"


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("body", {"body": "   "}),
        ("name", {"name": ""}),
        ("name", {"name": "两行\n名字"}),
        ("language", {"language": "cobol"}),
        ("kind", {"kind": "virus"}),
        ("platforms", {"platforms": ["x" * 101]}),
        ("file", {"body": "", "file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00")}),
        ("file", {"body": "", "file": SimpleUploadedFile("empty.ps1", b"")}),
    ],
)
def test_bad_scripts_are_refused_naming_the_field(bob, field, overrides):
    with pytest.raises(ValidationError) as refused:
        _script(bob, **overrides)
    assert field in refused.value.message_dict
    assert not Script.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_requesters_and_managers_add_no_scripts(persona, request):
    with pytest.raises(PermissionDenied):
        _script(request.getfixturevalue(persona))


def test_each_download_is_logged_and_counted(bob, erin, web):
    # given
    script = _script(bob)
    url = reverse("knowledge:script_download", args=[script.pk])

    # when
    first = web(erin).get(url)
    web(bob).get(url)

    # then
    assert first.status_code == 200
    assert first["Content-Disposition"].startswith("attachment;")
    assert first["Content-Type"] == "application/octet-stream"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert b"".join(first.streaming_content) == script.body.encode()
    script.refresh_from_db()
    assert script.download_count == 2
    log = list(ScriptDownload.objects.order_by("pk").values_list("user__username", "version"))
    assert log == [("erin", "1.2"), ("bob", "1.2")]


def test_the_script_page_shows_the_download_log(bob, erin, tom, web):
    # given
    script = _script(bob)
    services.record_download(script.pk, by=erin, ip_address="10.1.2.3")

    # when
    page = web(tom).get(reverse("knowledge:script", args=[script.pk])).content.decode()

    # then
    assert "Erin" in page and "10.1.2.3" in page
    assert "ping -n 4 10.0.0.1" in page


@pytest.mark.parametrize(
    "url",
    [
        lambda s: reverse("knowledge:scripts"),
        lambda s: reverse("knowledge:script", args=[s.pk]),
        lambda s: reverse("knowledge:script_download", args=[s.pk]),
        lambda s: reverse("knowledge:script_new"),
    ],
)
def test_requesters_are_refused_the_library(bob, alice, web, url):
    # given
    script = _script(bob)

    # when
    response = web(alice).get(url(script))

    # then
    assert response.status_code == 403
    assert "网络连通性测试" not in response.content.decode()
    assert not ScriptDownload.objects.exists()


def test_a_guide_is_read_as_markdown_and_its_markup_cannot_run(tom, bob, web):
    # given
    guide = _script(
        tom,
        name="TeamViewer 远程协助",
        kind="guide",
        language="text",
        body="1. 打开 **QuickSupport**\n2. <script>alert(1)</script>",
    )

    # when
    page = web(bob).get(reverse("knowledge:script", args=[guide.pk])).content.decode()

    # then
    assert "<strong>QuickSupport</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_page_form_adds_and_edits_a_script(bob, erin, web):
    # given
    client = web(bob)

    # when
    created = client.post(
        reverse("knowledge:script_new"),
        {"name": "重置网络", "kind": "script", "language": "powershell",
         "body": "netsh winsock reset", "version": "1",
         "platforms": "Windows 10, Windows 11；Windows Server 2019"},
    )  # fmt: skip
    script = Script.objects.get()
    edited = web(erin).post(
        reverse("knowledge:script_edit", args=[script.pk]),
        {"name": "重置网络协议栈", "kind": "script", "language": "powershell",
         "body": "netsh winsock reset\nnetsh int ip reset", "version": "2"},
    )  # fmt: skip

    # then
    assert created.status_code == 302 and edited.status_code == 302
    script.refresh_from_db()
    assert script.name == "重置网络协议栈" and script.version == "2"
    assert script.platforms == []  # the edit left the box empty
    assert script.owner == bob


def test_an_empty_script_form_comes_back_with_the_error(bob, web):
    response = web(bob).post(
        reverse("knowledge:script_new"), {"name": "空脚本", "kind": "script", "language": "bash"}
    )
    assert response.status_code == 400
    assert not Script.objects.exists()


def test_the_library_lists_in_a_fixed_number_of_queries(bob, tom, web, django_assert_num_queries):
    # given
    for n in range(12):
        _script(bob if n % 2 else tom, name=f"脚本 {n:02}")
    client = web(bob)
    client.get(reverse("knowledge:scripts"))  # session and permissions warmed up

    # when / then: session, user, permissions (2), the bell's count, count, page (owners joined)
    with django_assert_num_queries(7):
        response = client.get(reverse("knowledge:scripts"))
    assert response.content.decode().count('data-script="') == 12
