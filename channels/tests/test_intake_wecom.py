"""WeCom's app callbacks at /api/v1/intake/im/wecom/: the GET handshake, encrypted XML
messages, the CorpID, the 24-hour window, safe XML, and what a message becomes.

The documented vectors are those of WeCom's WXBizMsgCrypt samples (token ``QDG6eK``,
EncodingAESKey ``jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C``, CorpID
``wx5823bf96d3bd56c7``), replayed at their own time.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.roles import Role
from accounts.tests.factories import make_user
from channels.models import InboundMessage
from channels.tests import deliveries as d
from channels.wecom import crypto, parse
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60
DOC_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)
DOC_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczcd"
    "CUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd"
    "4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw"
    "2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22"
    "Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2"
    "uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
DOC_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA["
    + DOC_ENCRYPT
    + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)
URL = d.URL.format("wecom")


def _at(seconds: int) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromtimestamp(seconds, tz=dt.UTC), tick=False)


@pytest.fixture(autouse=True)
def _secrets(settings):
    d.configure(settings)


def test_wecoms_documented_url_handshake_is_answered_with_the_bare_echostr(client):
    # given: the sample's GET, at its time
    query = {
        "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        "timestamp": "1409659589",
        "nonce": "263014780",
        "echostr": DOC_ECHOSTR,
    }

    # when
    with _at(1409659589):
        response = client.get(URL, query)

    # then
    assert response.status_code == 200
    assert response.content == b"1616140317555161061"


def test_wecoms_documented_message_is_decrypted_and_handed_on(client, delivered):
    # given: the sample's POST, at its time
    query = "msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813"
    query += "&nonce=1372623149"

    # when
    with _at(1409659813 + 2):
        response = client.post(f"{URL}?{query}", DOC_BODY, content_type="text/xml")

    # then
    assert response.status_code == 200
    assert response.content == b""
    [delivery] = delivered
    assert delivery.provider == "wecom"
    assert (delivery.event_id, delivery.sender, delivery.text) == (
        "4561255354251345929",
        "mycreate",
        "hello",
    )
    assert (delivery.is_group, delivery.mentions_desk, delivery.chat, delivery.thread) == (
        False,
        True,
        "",
        "",
    )
    assert delivery.raw["AgentID"] == "218"


def test_a_handshake_with_a_bad_signature_stale_time_or_another_corp_is_refused(client):
    # when
    forged = d.wecom_handshake(client, token="another-token")
    stale = d.wecom_handshake(client, timestamp=d.now_seconds() - DAY - 1)
    other_corp = d.wecom_handshake(client, receiver="ww-another-corp")
    no_echo = client.get(URL, d.wecom_query(""))
    unsigned = client.get(URL)

    # then
    assert (forged.status_code, stale.status_code) == (401, 401)
    assert other_corp.status_code == 403
    assert no_echo.status_code == 400
    assert unsigned.status_code == 401
    assert b"1616140317555161061" not in forged.content + stale.content + other_corp.content


def test_a_freshly_signed_handshake_is_answered(client):
    # when
    response = d.wecom_handshake(client, "8523694127")

    # then
    assert response.status_code == 200
    assert response.content == b"8523694127"


def test_a_text_message_is_handed_on(client, delivered):
    # given
    message = d.wecom_message(user="zhangsan", text=" 打印机卡纸了 ", msg_id="1234567890123456")

    # when
    response = d.wecom_post(client, message)

    # then
    assert response.status_code == 200
    [delivery] = delivered
    assert (delivery.event_id, delivery.sender, delivery.text) == (
        "1234567890123456",
        "zhangsan",
        "打印机卡纸了",
    )


def test_other_kinds_carry_no_text_and_events_are_dropped(client, delivered):
    # when
    d.wecom_post(client, d.wecom_message(msg_type="image", PicUrl="http://x/1.png"))
    event = d.wecom_post(client, d.wecom_message(msg_type="event", Event="enter_agent"))

    # then
    assert event.status_code == 200
    [image] = delivered
    assert image.text == ""


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-DAY - 1, 401), (DAY + 1, 401), (-DAY + 60, 200), (DAY - 60, 200)],
    ids=["stale", "future", "within-before", "within-after"],
)
@pytest.mark.usefixtures("still_clock")
def test_the_window_is_24_hours_either_side(client, delivered, offset, status):
    # when
    response = d.wecom_post(client, d.wecom_message(), timestamp=d.now_seconds() + offset)

    # then
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"error": "stale_timestamp"}
    assert len(delivered) == (status == 200)


def test_an_unusable_aes_key_refuses_messages_and_the_handshake(client, delivered, settings):
    # given: set, but not 43 characters of base64
    settings.WECOM_ENCODING_AES_KEY = "too-short"

    # when
    response = d.wecom_post(client, d.wecom_message())
    handshake = d.wecom_handshake(client)

    # then
    assert (response.status_code, handshake.status_code) == (403, 403)
    assert response.json() == {"error": "not_configured"}
    assert delivered == []


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    "<xml><Encrypt>&lol2;</Encrypt></xml>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><Encrypt>&x;</Encrypt></xml>"
)


@pytest.mark.parametrize(
    ("body", "encrypted", "error"),
    [
        ("<xml><Encrypt>unclosed</xml>", "", "bad_xml"),
        (BILLION_LAUGHS, "lollol", "bad_xml"),
        (EXTERNAL, "", "bad_xml"),
        ("<xml><ToUserName>x</ToUserName></xml>", "", "missing_Encrypt"),
        ("<xml><Encrypt>not base64!</Encrypt></xml>", "not base64!", "bad_encrypt"),
        ("<xml><Encrypt>QUFBQQ==</Encrypt></xml>", "QUFBQQ==", "bad_encrypt"),
    ],
    ids=[
        "unclosed",
        "entity-expansion",
        "external-entity",
        "no-encrypt",
        "not-base64",
        "short",
    ],
)
def test_a_malformed_body_is_a_400(client, delivered, body, encrypted, error):
    # when
    response = d.wecom_post(client, body=body, encrypted=encrypted)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


def test_a_message_that_is_not_xml_inside_is_a_400(client, delivered):
    # when: sealed and signed, but its XML is broken
    response = d.wecom_post(client, "<xml><MsgType>text</MsgType>")

    # then
    assert response.status_code == 400
    assert response.json() == {"error": "bad_xml"}
    assert delivered == []


def test_the_xml_reader_refuses_document_types_and_reads_one_level():
    assert parse.fields("<xml><A><![CDATA[x]]]]><![CDATA[>]]></A><B>2</B></xml>") == {
        "A": "x]]>",
        "B": "2",
    }
    with pytest.raises(ValueError):
        parse.fields('<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml/>')


def test_the_key_must_be_43_characters_of_base64():
    assert len(crypto.aes_key(d.WECOM_ENCODING_AES_KEY)) == 32
    for bad in ("short", "!" * 43):
        with pytest.raises(ValueError):
            crypto.aes_key(bad)


# --- through the core: what a person notices ------------------------------------------------


@pytest.fixture
def linked(db):
    """alice, whose WeCom account is linked to her desk account."""
    return make_user("alice", Role.REQUESTER, wecom_id="zhangsan")


def test_the_documented_message_files_a_ticket_for_its_sender(client):
    # given
    user = make_user("mycreate", Role.REQUESTER, wecom_id="mycreate")
    query = "msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813"

    # when
    with _at(1409659813 + 2):
        client.post(f"{URL}?{query}&nonce=1372623149", DOC_BODY, content_type="text/xml")

    # then
    assert Ticket.objects.get().requester == user


def test_a_message_sealed_for_another_corp_is_a_403_and_files_nothing(client, linked):
    # when: signed with our token, sealed with our key, but for another CorpID
    response = d.wecom_post(client, d.wecom_message(text="打印机卡纸了"), receiver="ww-another")

    # then
    assert response.status_code == 403
    assert response.json() == {"error": "bad_corp_id"}
    assert Ticket.objects.count() == 0
    assert InboundMessage.objects.count() == 0
