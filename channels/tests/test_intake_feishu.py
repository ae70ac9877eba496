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
from tickets.choices import Channel
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


def test_an_unsigned_event_is_refused(client, delivered):
    # when
    response = d.feishu_post(client, d.feishu_event(), signed=False)

    # then
    assert response.status_code == 401
    assert delivered == []


def test_a_replay_is_handed_on_with_the_same_event_id(client, delivered):
    # given
    event = d.feishu_event()
    body = d.feishu_body(event)
    stamp = str(d.now_seconds())
    signature = crypto.signature(stamp, "n1", d.FEISHU_ENCRYPT_KEY, body)

    # when
    for _ in range(2):
        d.feishu_post(client, body=body, timestamp=stamp, nonce="n1", signature=signature)
    d.feishu_post(client, event)  # sealed and signed afresh

    # then
    assert [x.event_id for x in delivered] == [event["header"]["event_id"]] * 3


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"signature": "0" * 64}, 401, "bad_signature"),
        ({"timestamp": "soon"}, 401, "bad_timestamp"),
        ({"offset": -DAY - 1}, 401, "stale_timestamp"),
        ({"offset": DAY + 1}, 401, "stale_timestamp"),
    ],
    ids=["wrong-signature", "bad-timestamp", "stale", "future"],
)
def test_a_bad_or_stale_signature_is_refused(client, delivered, overrides, status, error):
    # given
    if "offset" in overrides:
        overrides = {"timestamp": d.now_seconds() + overrides.pop("offset")}

    # when
    response = d.feishu_post(client, d.feishu_event(), **overrides)

    # then
    assert response.status_code == status
    assert response.json() == {"error": error}
    assert delivered == []


def test_within_24_hours_is_accepted(client, delivered):
    # when
    response = d.feishu_post(client, d.feishu_event(), timestamp=d.now_seconds() - DAY + 60)

    # then
    assert response.status_code == 200
    assert len(delivered) == 1


def test_a_wrong_verification_token_is_refused(client, delivered):
    # when
    response = d.feishu_post(client, d.feishu_event(token="another-apps-token"))

    # then
    assert response.status_code == 403
    assert response.json() == {"error": "bad_token"}
    assert delivered == []


def test_without_configured_secrets_everything_is_refused(client, delivered, settings):
    # given
    settings.FEISHU_ENCRYPT_KEY = ""

    # when
    response = d.feishu_post(client, d.feishu_event())

    # then
    assert response.status_code == 403
    assert delivered == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not json", "body_not_json"),
        (b"[" * 5000, "body_not_json"),
        (b"{}", "missing_encrypt"),
        (b'{"encrypt": 7}', "missing_encrypt"),
        (b'{"encrypt": "not base64!"}', "bad_encrypt"),
        (b'{"encrypt": "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}', "bad_encrypt"),
        (d.feishu_body(b"[1]"), "bad_encrypt"),
        (d.feishu_body(d.feishu_event(), encrypt_key="wrong key"), "bad_encrypt"),
    ],
    ids=[
        "not-json",
        "nested",
        "no-encrypt",
        "encrypt-number",
        "not-base64",
        "hello-world",
        "not-an-object",
        "wrong-key",
    ],
)
def test_a_malformed_signed_body_is_a_400(client, delivered, body, error):
    # when
    response = d.feishu_post(client, body=body)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (
            {
                **d.feishu_event(),
                "header": {
                    "event_type": "im.message.receive_v1",
                    "token": d.FEISHU_VERIFICATION_TOKEN,
                },
            },
            "missing_event_id",
        ),
        (d.feishu_event(content="{not json"), "bad_content"),
        (d.feishu_event(content='["a"]'), "bad_content"),
        (d.feishu_event(open_id="ou_" + "x" * 200), "bad_open_id"),
    ],
    ids=["no-event-id", "content-not-json", "content-not-object", "open-id-long"],
)
def test_a_malformed_event_is_a_400(client, delivered, event, error):
    # when
    response = d.feishu_post(client, event)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


def test_get_is_not_allowed(client):
    assert client.get(d.URL.format("feishu")).status_code == 405


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


def test_a_signed_message_from_a_linked_user_files_one_ticket(client, linked):
    # when
    response = d.feishu_post(client, d.feishu_event(text="打印机卡纸了，每页都卡"))

    # then
    assert response.status_code == 200
    [ticket] = Ticket.objects.all()
    assert (ticket.requester, ticket.channel) == (linked, Channel.IM)
    assert "打印机卡纸了" in ticket.description


def test_a_replay_and_a_fresh_redelivery_file_nothing_more(client, linked):
    # given
    event = d.feishu_event(text="显示器闪烁")
    body = d.feishu_body(event)
    stamp = str(d.now_seconds())
    signature = crypto.signature(stamp, "n1", d.FEISHU_ENCRYPT_KEY, body)
    d.feishu_post(client, body=body, timestamp=stamp, nonce="n1", signature=signature)

    # when
    replay = d.feishu_post(client, body=body, timestamp=stamp, nonce="n1", signature=signature)
    later = d.feishu_post(client, event)

    # then
    assert (replay.status_code, later.status_code) == (200, 200)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda c: d.feishu_post(c, d.feishu_event(), signature="0" * 64), 401),
        (lambda c: d.feishu_post(c, d.feishu_event(), timestamp=1409659813), 401),
        (lambda c: d.feishu_post(c, d.feishu_event(token="another-apps-token")), 403),
        (lambda c: d.feishu_post(c, body=b'{"encrypt": "garbage"}'), 400),
    ],
    ids=["wrong-signature", "stale", "wrong-token", "malformed"],
)
def test_a_refused_request_files_nothing(client, linked, send, status):
    # when
    response = send(client)

    # then
    assert response.status_code == status
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.count() == 0


@pytest.mark.parametrize("open_id", ["ou_nobody", None, ""], ids=["unknown", "absent", "empty"])
def test_a_message_from_an_unknown_or_empty_sender_files_nothing(client, linked, open_id):
    # when
    response = d.feishu_post(client, d.feishu_event(open_id=open_id, text="打印机卡纸了"))

    # then
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.get().outcome == "unknown_sender"


HOSTILE = ["a\x00b", "a\ud800b", "x" * 100_001, 10**40, {"$gt": ""}, ["a"], True, None]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:12])
def test_hostile_values_in_the_text_or_sender_never_give_a_500(client, linked, value):
    # when
    as_text = d.feishu_post(client, d.feishu_event(content=json.dumps({"text": value})))
    as_content = d.feishu_post(client, d.feishu_event(content=value))
    as_sender = d.feishu_post(client, d.feishu_event(open_id=value))

    # then: a 400 naming the field, or taken in (an odd text is cleaned or dropped)
    for response in (as_text, as_content, as_sender):
        assert response.status_code in (200, 400), response.content[:200]
