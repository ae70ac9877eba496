"""Feishu's event subscription at /api/v1/intake/im/feishu/: decryption, the signature, the
Verification Token, the 24-hour window, the URL check, and what a message becomes."""

from __future__ import annotations

import hashlib
import json

import pytest

from accounts.roles import Role
from accounts.tests.factories import make_user
from channels.feishu import crypto
from channels.models import InboundMessage
from channels.tests import deliveries as d
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def _secrets(settings):
    d.configure(settings)


def test_feishus_documented_decryption_example():
    # Feishu's "接收事件" example: Encrypt Key "test key" opens this to "hello world"
    assert crypto.decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=") == (
        b"hello world"
    )
    with pytest.raises(ValueError):
        crypto.decrypt("another key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")


def test_the_signature_is_sha256_of_timestamp_nonce_key_and_body():
    # given: the documented construction, computed independently
    body = b'{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}'
    expected = hashlib.sha256(b"1700000000" + b"n1" + b"test key" + body).hexdigest()

    # then
    assert crypto.signature("1700000000", "n1", "test key", body) == expected


def test_a_direct_message_is_handed_on_and_answered_with_an_empty_object(client, delivered):
    # given
    event = d.feishu_event(text=" 打印机卡纸了 ")

    # when
    response = d.feishu_post(client, event)

    # then
    assert response.status_code == 200
    assert response.json() == {}
    [delivery] = delivered
    assert delivery.provider == "feishu"
    assert delivery.event_id == event["header"]["event_id"]
    assert delivery.sender == "ou_84aad35d084aa403a838cf73ee18467"
    assert delivery.text == "打印机卡纸了"
    assert (delivery.is_group, delivery.mentions_desk, delivery.chat) == (False, True, "")
    assert (delivery.is_bot, delivery.is_edit, delivery.thread) == (False, False, "")


def test_a_group_message_that_mentions_the_desk(client, delivered):
    # when
    d.feishu_post(
        client,
        d.feishu_event(
            text="@_user_1 VPN 连不上 @_user_2 也是",
            chat_type="group",
            mentions=[d.feishu_mention(), d.feishu_mention("@_user_2", "张三")],
            root_id="om_root",
            parent_id="om_parent",
        ),
    )

    # then
    [delivery] = delivered
    assert delivery.text == "VPN 连不上 @张三 也是"
    assert (delivery.is_group, delivery.mentions_desk) == (True, True)
    assert delivery.chat == "oc_5ce6d572455d361153b7xx51da133945"
    assert delivery.thread == "om_root"


def test_a_group_message_without_a_mention_is_not_addressed_to_the_desk(client, delivered):
    # when
    d.feishu_post(client, d.feishu_event(chat_type="group", parent_id="om_parent"))

    # then
    [delivery] = delivered
    assert (delivery.is_group, delivery.mentions_desk, delivery.thread) == (
        True,
        False,
        "om_parent",
    )


def test_rich_text_and_other_kinds(client, delivered):
    # given
    post = {
        "title": "网络故障",
        "content": [
            [{"tag": "text", "text": "三楼 "}, {"tag": "a", "text": "无线", "href": "x"}],
            [{"tag": "img", "image_key": "img_1"}, {"tag": "text", "text": "全断了"}],
        ],
    }

    # when
    d.feishu_post(client, d.feishu_event(message_type="post", content=json.dumps(post)))
    d.feishu_post(client, d.feishu_event(message_type="image", content='{"image_key":"i"}'))
    d.feishu_post(client, d.feishu_event(sender_type="app"))

    # then
    rich, image, app = delivered
    assert rich.text == "网络故障\n三楼 无线\n全断了"
    assert image.text == ""
    assert app.is_bot


def test_other_events_are_acknowledged_and_dropped(client, delivered):
    # when
    response = d.feishu_post(client, d.feishu_event(event_type="im.chat.member.bot.added_v1"))

    # then
    assert response.status_code == 200
    assert delivered == []


def test_the_encrypted_url_check_is_answered_after_the_token_check(client, delivered):
    # when: Feishu sends it encrypted and unsigned
    good = d.feishu_post(client, d.feishu_challenge("ajls384kdjx98XX"), signed=False)
    wrong_token = d.feishu_post(client, d.feishu_challenge(token="someone-else"), signed=False)
    plain = d.feishu_post(client, body=json.dumps(d.feishu_challenge()).encode(), signed=False)

    # then
    assert good.status_code == 200
    assert good.json() == {"challenge": "ajls384kdjx98XX"}
    assert wrong_token.status_code == 403
    assert plain.status_code == 401  # encryption is required: not ours
    assert delivered == []


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-DAY - 1, 401), (DAY + 1, 401), (-DAY + 60, 200), (DAY - 60, 200)],
    ids=["stale", "future", "within-before", "within-after"],
)
@pytest.mark.usefixtures("still_clock")
def test_the_window_is_24_hours_either_side(client, delivered, offset, status):
    # when
    response = d.feishu_post(client, d.feishu_event(), timestamp=d.now_seconds() + offset)

    # then
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"error": "stale_timestamp"}
    assert len(delivered) == (status == 200)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{}", "missing_encrypt"),
        (b'{"encrypt": 7}', "missing_encrypt"),
        (b'{"encrypt": "not base64!"}', "bad_encrypt"),
        (b'{"encrypt": "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}', "bad_encrypt"),
        (d.feishu_body(b"[1]"), "bad_encrypt"),
        (d.feishu_body(d.feishu_event(), encrypt_key="wrong key"), "bad_encrypt"),
    ],
    ids=[
        "no-encrypt",
        "encrypt-number",
        "not-base64",
        "hello-world",
        "not-an-object",
        "wrong-key",
    ],
)
def test_a_malformed_signed_envelope_is_a_400(client, delivered, body, error):
    # when
    response = d.feishu_post(client, body=body)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


@pytest.mark.parametrize(
    ("content", "error"),
    [("{not json", "bad_content"), ('["a"]', "bad_content")],
    ids=["content-not-json", "content-not-object"],
)
def test_a_malformed_message_content_is_a_400(client, delivered, content, error):
    # when
    response = d.feishu_post(client, d.feishu_event(content=content))

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


def test_the_verification_token_is_not_handed_on(client, delivered):
    # when
    d.feishu_post(client, d.feishu_event())

    # then: raw is for logs
    assert d.FEISHU_VERIFICATION_TOKEN not in json.dumps(delivered[0].raw)


# --- through the core: what a person notices ------------------------------------------------

OPEN_ID = "ou_84aad35d084aa403a838cf73ee18467"


@pytest.fixture
def linked(db):
    """alice, whose Feishu account is linked to her desk account."""
    return make_user("alice", Role.REQUESTER, feishu_id=OPEN_ID)


def test_another_apps_verification_token_is_a_403_and_files_nothing(client, linked):
    # when: signed with our Encrypt Key, but the token is another app's
    response = d.feishu_post(client, d.feishu_event(token="another-apps-token"))

    # then
    assert response.status_code == 403
    assert response.json() == {"error": "bad_token"}
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.count() == 0
