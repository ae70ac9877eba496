"""``/api/v1/knowledge/scripts/``: the library for the staff, downloads logged."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Script, ScriptDownload
from knowledge.services import scripts as services

pytestmark = pytest.mark.django_db

LIST = "/api/v1/knowledge/scripts/"


def _script(owner, name="网络连通性测试", **extra):
    return services.create_script(
        by=owner, name=name, language="batch", body="ping -n 4 10.0.0.1", version="1.2", **extra
    )


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_requesters_are_refused_everywhere(api, bob, persona, request):
    # given
    script = _script(bob)
    client = api(request.getfixturevalue(persona))

    # when / then
    for url in (LIST, f"{LIST}{script.pk}/", f"{LIST}{script.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "网络连通性测试" not in response.content.decode()
    assert client.post(LIST, {"name": "x", "body": "y"}, format="json").status_code == 403
    assert not ScriptDownload.objects.exists()


def test_staff_list_and_read_with_the_download_log(api, bob, dave):
    # given
    script = _script(bob, platforms=["Windows 10"])
    services.record_download(script.pk, by=bob, ip_address="10.0.0.9")

    # when
    listed = api(dave).get(LIST, {"language": "batch"})
    detail = api(dave).get(f"{LIST}{script.pk}/")

    # then
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row["name"] == "网络连通性测试" and row["download_count"] == 1
    assert detail.json()["downloads"][0]["user"]["username"] == "bob"
    assert detail.json()["downloads"][0]["version"] == "1.2"


def test_the_download_is_the_file_and_is_logged(api, bob, erin):
    # given
    script = _script(bob)

    # when
    response = api(erin).get(f"{LIST}{script.pk}/download/")

    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"ping -n 4 10.0.0.1"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ScriptDownload.objects.get().user == erin
    script.refresh_from_db()
    assert script.download_count == 1


def test_an_engineer_posts_a_script_as_json_or_with_a_file(api, bob):
    # when
    as_json = api(bob).post(
        LIST,
        {"name": "重置网络", "language": "powershell", "body": "netsh winsock reset",
         "platforms": ["Windows 11"], "usage": "以管理员身份运行"},
        format="json",
    )  # fmt: skip
    as_file = api(bob).post(
        LIST,
        {"name": "收集日志", "language": "bash", "file": SimpleUploadedFile("logs.sh", b"tar c")},
        format="multipart",
    )

    # then
    assert as_json.status_code == 201, as_json.json()
    assert as_json.json()["owner"]["username"] == "bob"
    assert as_file.status_code == 201, as_file.json()
    assert as_file.json()["has_file"] is True and as_file.json()["original_name"] == "logs.sh"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "空"}, "body"),
        ({"body": "x"}, "name"),
        ({"name": "x", "body": "y", "language": "cobol"}, "language"),
        ({"name": "x", "body": "y", "platforms": "Windows"}, "platforms"),
    ],
)
def test_bad_scripts_are_a_400_naming_the_field(api, bob, body, field):
    response = api(bob).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Script.objects.exists()


def test_a_manager_reads_but_does_not_add(api, dave):
    assert api(dave).get(LIST).status_code == 200
    assert api(dave).post(LIST, {"name": "x", "body": "y"}, format="json").status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(api, bob, tom, django_assert_num_queries):
    # given
    for n in range(55):
        _script(bob if n % 2 else tom, name=f"脚本 {n:02}")
    client = api(bob)
    client.get(LIST)

    # when / then: the page (owners joined), the count
    with django_assert_num_queries(2):
        response = client.get(LIST)
    assert len(response.json()["results"]) == 50 and response.json()["count"] == 55
