"""DingTalk's robot callback at /api/v1/intake/im/dingtalk/: the signed timestamp, the
one-hour window, de-duplication on msgId, and what a message becomes.

DingTalk publishes the signing construction with a sample secret (``this is secret``) but
no sample signature, so the tests sign independently (``deliveries.dingtalk_sign``).
"""

from __future__ import annotations

import json
import logging

import pytest

from accounts.roles import Role
from accounts.tests.factories import make_user
from channels.models import InboundMessage
from channels.tests import deliveries as d
from tickets.choices import Channel
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

HOUR_MS = 60 * 60 * 1000


@pytest.fixture(autouse=True)
def _secrets(settings):
    d.configure(settings)


def test_a_direct_message_is_handed_on_and_answered_with_an_empty_object(client, delivered):
    # given
    payload = d.dingtalk_message(staff_id="manager4812", text=" 打印机卡纸了 ")

    # when
    response = d.dingtalk_post(client, payload)

    # then
    assert response.status_code == 200
    assert response.json() == {}
    [delivery] = delivered
    assert delivery.provider == "dingtalk"
    assert delivery.event_id == payload["msgId"]
    assert delivery.sender == "manager4812"
    assert delivery.text == "打印机卡纸了"
    assert (delivery.is_group, delivery.mentions_desk, delivery.chat) == (False, True, "")
    assert (delivery.is_bot, delivery.is_edit, delivery.thread) == (False, False, "")


def test_group_messages_say_whether_the_robot_was_mentioned(client, delivered):
    # when
    d.dingtalk_post(client, d.dingtalk_message(group=True, at=True, originalMsgId="msgOrig"))
    d.dingtalk_post(client, d.dingtalk_message(group=True, at=False))

    # then
    mentioned, not_mentioned = delivered
    assert (mentioned.is_group, mentioned.mentions_desk) == (True, True)
    assert mentioned.chat == "cidIRTxdeHCfBNA5MrSIXsCBQ=="
    assert mentioned.thread == "msgOrig"
    assert (not_mentioned.is_group, not_mentioned.mentions_desk) == (True, False)


def test_rich_text_and_other_kinds(client, delivered):
    # when
    d.dingtalk_post(
        client,
        d.dingtalk_message(
            msgtype="richText",
            content={
                "richText": [{"text": "无线"}, {"pictureDownloadCode": "x"}, {"text": "断了"}]
            },
        ),
    )
    d.dingtalk_post(client, d.dingtalk_message(msgtype="picture", content={"downloadCode": "x"}))

    # then
    rich, picture = delivered
    assert rich.text == "无线断了"
    assert picture.text == ""


def test_two_messages_signed_in_the_same_millisecond_are_two_messages(client, delivered):
    # given: the signature covers only the time, so both carry the same sign
    stamp = d.now_seconds() * 1000

    # when
    d.dingtalk_post(client, d.dingtalk_message(text="第一条"), timestamp_ms=stamp)
    d.dingtalk_post(client, d.dingtalk_message(text="第二条"), timestamp_ms=stamp)

    # then: de-duplicated on msgId, never on sign
    assert len({x.event_id for x in delivered}) == 2


def test_a_replay_is_handed_on_with_the_same_msg_id(client, delivered):
    # given
    payload = d.dingtalk_message()
    stamp = d.now_seconds() * 1000

    # when
    d.dingtalk_post(client, payload, timestamp_ms=stamp)
    d.dingtalk_post(client, payload, timestamp_ms=stamp)
    d.dingtalk_post(client, payload, timestamp_ms=stamp + 60_000)

    # then
    assert [x.event_id for x in delivered] == [payload["msgId"]] * 3


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"secret": "not the secret"}, 401, "bad_signature"),
        ({"sign": ""}, 401, "missing_signature"),
        ({"timestamp_ms": "now"}, 401, "bad_timestamp"),
        ({"offset": -HOUR_MS - 1000}, 401, "stale_timestamp"),
        ({"offset": HOUR_MS + 1000}, 401, "stale_timestamp"),
        ({"seconds": True}, 401, "stale_timestamp"),
    ],
    ids=["wrong-secret", "unsigned", "bad-timestamp", "stale", "future", "in-seconds"],
)
def test_a_bad_or_stale_signature_is_refused(client, delivered, overrides, status, error):
    # given
    if "offset" in overrides:
        overrides = {"timestamp_ms": d.now_seconds() * 1000 + overrides.pop("offset")}
    if overrides.pop("seconds", False):
        overrides = {"timestamp_ms": d.now_seconds()}  # seconds taken for milliseconds

    # when
    response = d.dingtalk_post(client, d.dingtalk_message(), **overrides)

    # then
    assert response.status_code == status
    assert response.json() == {"error": error}
    assert delivered == []


def test_within_an_hour_is_accepted(client, delivered):
    # when
    response = d.dingtalk_post(
        client, d.dingtalk_message(), timestamp_ms=d.now_seconds() * 1000 - HOUR_MS + 60_000
    )

    # then
    assert response.status_code == 200
    assert len(delivered) == 1


def test_the_signing_headers_are_never_logged(client, delivered, caplog):
    # given
    stamp = str(d.now_seconds() * 1000)
    good = d.dingtalk_sign(stamp)
    forged = d.dingtalk_sign(stamp, "not the secret")

    # when
    with caplog.at_level(logging.DEBUG):
        d.dingtalk_post(client, d.dingtalk_message(), timestamp_ms=stamp, sign=good)
        refused = d.dingtalk_post(client, d.dingtalk_message(), timestamp_ms=stamp, sign=forged)

    # then
    assert refused.status_code == 401
    assert "dingtalk intake refused" in caplog.text
    for value in (good, forged, stamp, d.DINGTALK_APP_SECRET):
        assert value not in caplog.text
    assert not any(good in repr(x.raw) or stamp in repr(x.raw) for x in delivered)


def test_without_a_configured_secret_everything_is_refused(client, delivered, settings):
    # given
    settings.DINGTALK_APP_SECRET = ""

    # when
    response = d.dingtalk_post(client, d.dingtalk_message(), secret="")

    # then
    assert response.status_code == 403
    assert delivered == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"not json", "body_not_json"),
        (b'"text"', "body_not_json"),
        (b"[" * 5000, "body_not_json"),
        ({**d.dingtalk_message(), "msgId": ""}, "missing_msgId"),
        ({**d.dingtalk_message(), "msgId": {"id": 1}}, "bad_msgId"),
        ({**d.dingtalk_message(), "senderStaffId": "x" * 200}, "bad_senderStaffId"),
    ],
    ids=["not-json", "string", "nested", "no-msg-id", "msg-id-object", "staff-id-long"],
)
def test_a_malformed_signed_body_is_a_400(client, delivered, body, error):
    # when
    response = d.dingtalk_post(client, body)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


def test_get_is_not_allowed(client):
    assert client.get(d.URL.format("dingtalk")).status_code == 405


# --- through the core: what a person notices ------------------------------------------------


@pytest.fixture
def linked(db):
    """alice, whose DingTalk account is linked to her desk account."""
    return make_user("alice", Role.REQUESTER, dingtalk_id="manager4812")


def test_a_signed_message_from_a_linked_user_files_one_ticket(client, linked):
    # when
    response = d.dingtalk_post(client, d.dingtalk_message(text="打印机卡纸了，每页都卡"))

    # then
    assert response.status_code == 200
    [ticket] = Ticket.objects.all()
    assert (ticket.requester, ticket.channel) == (linked, Channel.IM)
    assert "打印机卡纸了" in ticket.description


def test_a_replay_and_a_fresh_redelivery_file_nothing_more(client, linked):
    # given
    payload = d.dingtalk_message(text="显示器闪烁")
    stamp = d.now_seconds() * 1000
    d.dingtalk_post(client, payload, timestamp_ms=stamp)

    # when
    replay = d.dingtalk_post(client, payload, timestamp_ms=stamp)
    later = d.dingtalk_post(client, payload, timestamp_ms=stamp + 90_000)

    # then
    assert (replay.status_code, later.status_code) == (200, 200)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"secret": "not the secret"}, 401),
        ({"timestamp_ms": 1613630252678}, 401),
        ({"payload": b"{not json"}, 400),
    ],
    ids=["wrong-signature", "stale", "malformed"],
)
def test_a_refused_request_files_nothing(client, linked, overrides, status):
    # when
    payload = overrides.pop("payload", d.dingtalk_message(text="打印机卡纸了"))
    response = d.dingtalk_post(client, payload, **overrides)

    # then
    assert response.status_code == status
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.count() == 0


@pytest.mark.parametrize("staff_id", ["nobody01", None, ""], ids=["unknown", "absent", "empty"])
def test_a_message_from_an_unknown_or_empty_sender_files_nothing(client, linked, staff_id):
    # when
    response = d.dingtalk_post(client, d.dingtalk_message(staff_id=staff_id, text="打印机卡纸了"))

    # then
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.get().outcome == "unknown_sender"


HOSTILE = ["a\x00b", "a\ud800b", "x" * 100_001, 10**40, {"$gt": ""}, ["a"], True, None]


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:12])
def test_hostile_values_in_the_text_or_sender_never_give_a_500(client, linked, value):
    # when
    as_text = d.dingtalk_post(client, json.dumps(d.dingtalk_message(text=value)))
    as_sender = d.dingtalk_post(client, json.dumps(d.dingtalk_message(staff_id=value)))
    as_kind = d.dingtalk_post(client, json.dumps(d.dingtalk_message(conversationType=value)))

    # then: a 400 naming the field, or taken in (an odd text is cleaned or dropped)
    for response in (as_text, as_sender, as_kind):
        assert response.status_code in (200, 400), response.content[:200]
