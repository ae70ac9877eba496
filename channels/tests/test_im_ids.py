"""People's IM ids: each person links theirs from the link the desk sends to an unknown IM
account (profile page), and admins set them in bulk from a CSV file (check, then save)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from accounts.services import im_link_token
from accounts.tests.factories import make_user
from channels.choices import InboundOutcome, Provider
from tickets.models import Ticket

from .factories import message

pytestmark = pytest.mark.django_db

IMPORT = reverse("channels:import_im_ids")
PROFILE = reverse("accounts:profile")


def upload(client, text: str | bytes, name: str = "ids.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE="en")


def token_of(response) -> str:
    return response.context["token"]


# --- linking one's own account ------------------------------------------------------------------


@pytest.mark.usefixtures("seeded_calendar")
def test_an_unknown_sender_links_the_account_with_the_link_and_is_then_known(
    alice, web, deliver, sent
):
    # given: alice writes from WeCom before linking it
    first = deliver(message("打印机卡纸了", sender="ZhangLi"))
    assert first.outcome == InboundOutcome.UNKNOWN_SENDER
    url = next(word for word in sent[0]["text"].split() if word.startswith("http"))
    link = parse_qs(urlsplit(url).query)["link"][0]
    client = web(alice)
    # when: she opens it and confirms
    page = client.get(PROFILE, {"link": link}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "ZhangLi" in page.content.decode()
    response = client.post(reverse("accounts:link_im"), {"link": link})
    # then
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.wecom_id == "ZhangLi"
    again = deliver(message("打印机卡纸了", sender="ZhangLi"))
    assert again.outcome == InboundOutcome.FILED
    assert Ticket.objects.get().requester == alice


def test_a_link_to_an_id_someone_else_has_is_refused(alice, carol, web):
    carol.wecom_id = "ZhangLi"
    carol.save(update_fields=["wecom_id"])

    web(alice).post(reverse("accounts:link_im"), {"link": im_link_token("wecom", "ZhangLi")})

    alice.refresh_from_db()
    assert alice.wecom_id == ""


@pytest.mark.parametrize(
    "link",
    ["", "garbage", "a" * 5000, im_link_token("wecom", "x") + "x"],
    # fixed ids: a signed link carries its time, and xdist's workers must collect alike
    ids=["empty", "garbage", "too-long", "tampered"],
)
def test_a_bad_link_changes_nothing_and_is_no_error_page(alice, web, link):
    client = web(alice)

    page = client.get(PROFILE, {"link": link})
    response = client.post(reverse("accounts:link_im"), {"link": link})

    assert page.status_code == 200
    assert "im-link-confirm" not in page.content.decode()
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.wecom_id == ""


def test_the_profile_lists_the_linked_accounts_and_unlinks_one(alice, web):
    alice.slack_id = "U0ALICE"
    alice.save(update_fields=["slack_id"])
    client = web(alice)

    assert "U0ALICE" in client.get(PROFILE).content.decode()
    client.post(reverse("accounts:unlink_im"), {"provider": Provider.SLACK})

    alice.refresh_from_db()
    assert alice.slack_id == ""


# --- the admins' CSV import -----------------------------------------------------------------------


def test_only_admins_import_ids(alice, bob, admin, web, client):
    assert web(admin).get(IMPORT).status_code == 200
    assert web(bob).get(IMPORT).status_code == 403
    assert web(alice).post(IMPORT, {}).status_code == 403
    assert client.get(IMPORT).status_code == 302


def test_the_file_is_checked_shown_then_saved_on_confirmation(alice, carol, admin, web):
    # given
    carol.feishu_id = "ou_old"
    carol.dingtalk_id = "keep-me"
    carol.save(update_fields=["feishu_id", "dingtalk_id"])
    client = web(admin)
    csv_text = (
        "username,wecom_id,dingtalk_id,feishu_id,slack_id\n"
        "alice,ZhangLi,,ou_alice,U0ALICE\n"
        "carol,WangFang,,-,\n"
    )
    # when: checked
    checked = upload(client, csv_text)
    # then: the changes are shown, nothing is saved yet
    assert checked.status_code == 200
    page = checked.content.decode()
    assert "ou_alice" in page and "ou_old" in page
    alice.refresh_from_db()
    assert alice.wecom_id == ""
    # when: confirmed
    saved = client.post(IMPORT, {"token": token_of(checked)})
    # then
    assert saved.status_code == 302
    alice.refresh_from_db()
    carol.refresh_from_db()
    assert (alice.wecom_id, alice.feishu_id, alice.slack_id) == ("ZhangLi", "ou_alice", "U0ALICE")
    assert (carol.wecom_id, carol.feishu_id, carol.dingtalk_id) == ("WangFang", "", "keep-me")


def test_every_wrong_row_is_listed_and_nothing_is_saved(alice, carol, bob, admin, web):
    # given: bob already has the WeCom id LiQiang
    bob.wecom_id = "LiQiang"
    bob.save(update_fields=["wecom_id"])
    csv_text = (
        "username,wecom_id,slack_id\n"
        "alice,ZhangLi,U1\n"  # fine
        "nobody,X1,\n"  # line 3: no such user
        "carol,LiQiang,\n"  # line 4: bob has it
        "erin,has space,\n"  # line 5: not an id (and erin does not exist here)
        "alice,Other,\n"  # line 6: alice twice
        "admin,,U1\n"  # line 7: U1 given twice
        "dave,a,b,c\n"  # line 8: extra cells
    )
    make_user("dave", Role.MANAGER)

    response = upload(web(admin), csv_text)

    assert response.status_code == 400
    errors = {(e.line, e.column) for e in response.context["result"].errors}
    assert {
        (3, "username"),
        (4, "wecom_id"),
        (5, "wecom_id"),
        (6, "username"),
        (7, "slack_id"),
        (8, "row"),
    } <= errors
    assert (2, "wecom_id") not in errors
    assert "token" not in response.context
    alice.refresh_from_db()
    assert alice.wecom_id == ""


def test_an_id_moved_from_one_person_to_another_in_one_file_is_fine(alice, carol, admin, web):
    alice.wecom_id = "Shared01"
    alice.save(update_fields=["wecom_id"])
    client = web(admin)

    checked = upload(client, "username,wecom_id\nalice,-\ncarol,Shared01\n")
    client.post(IMPORT, {"token": token_of(checked)})

    assert User.objects.get(username="carol").wecom_id == "Shared01"
    assert User.objects.get(username="alice").wecom_id == ""


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02binary",
        b"\xff\xfe\xfa not text at all \x81",
        b"wecom_id\nZhangLi\n",  # no username column
        b"username,icq\nalice,123\n",  # unknown column
        b"username,wecom_id\n",  # header only
        b"username,username\nalice,alice\n",  # a column twice
    ],
)
def test_a_file_that_is_not_such_a_csv_is_a_form_error(alice, admin, web, content):
    response = upload(web(admin), content)

    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_a_confirmation_of_another_admins_or_an_unknown_check_saves_nothing(alice, admin, web):
    other = make_user("root2", Role.ADMIN)
    checked = upload(web(admin), "username,wecom_id\nalice,ZhangLi\n")

    stolen = web(other).post(IMPORT, {"token": token_of(checked)})
    unknown = web(admin).post(IMPORT, {"token": "0" * 32}, HTTP_ACCEPT_LANGUAGE="en")

    assert (stolen.status_code, unknown.status_code) == (400, 400)
    assert "upload the file again" in unknown.content.decode()
    alice.refresh_from_db()
    assert alice.wecom_id == ""


def test_the_page_reads_in_both_languages(admin, web):
    client = web(admin)
    with translation.override("en"):
        english = client.get(IMPORT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(IMPORT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "Import IM ids from CSV" in english
    assert "Import IM ids from CSV" not in chinese


def test_the_example_file_passes_the_check_for_its_person(alice, admin, web):
    client = web(admin)
    example = client.get(reverse("channels:import_im_ids_example"))

    checked = upload(client, example.content)

    assert checked.status_code == 200
    assert checked.context["result"].changes
