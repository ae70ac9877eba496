"""DingTalk's robot callback at /api/v1/intake/im/dingtalk/: the signed timestamp, the
one-hour window, de-duplication on msgId, and what a message becomes.

DingTalk publishes the signing construction with a sample secret (``this is secret``) but
no sample signature, so the tests sign independently (``deliveries.dingtalk_sign``).
"""

from __future__ import annotations

import logging

import pytest

from channels.tests import deliveries as d

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


@pytest.mark.parametrize(
    ("offset_ms", "status"),
    [
        (-HOUR_MS - 1000, 401),
        (HOUR_MS + 1000, 401),
        (-HOUR_MS + 60_000, 200),
        (HOUR_MS - 60_000, 200),
    ],
    ids=["stale", "future", "within-before", "within-after"],
)
@pytest.mark.usefixtures("still_clock")
def test_the_window_is_an_hour_either_side(client, delivered, offset_ms, status):
    # when
    stamp = d.now_seconds() * 1000 + offset_ms
    response = d.dingtalk_post(client, d.dingtalk_message(), timestamp_ms=stamp)

    # then
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"error": "stale_timestamp"}
    assert len(delivered) == (status == 200)


def test_a_timestamp_in_seconds_is_stale(client, delivered):
    # when: seconds taken for milliseconds (January 1970)
    response = d.dingtalk_post(client, d.dingtalk_message(), timestamp_ms=d.now_seconds())

    # then
    assert response.status_code == 401
    assert response.json() == {"error": "stale_timestamp"}
    assert delivered == []


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
