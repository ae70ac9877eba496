"""Slack's Events API at /api/v1/intake/im/slack/: the signature, the five-minute window,
the URL challenge, and what a message is handed to the core as."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from accounts.roles import Role
from accounts.tests.factories import make_user
from channels.models import InboundMessage
from channels.slack import intake
from channels.tests import deliveries as d
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# The worked example of Slack's "Verifying requests from Slack".
DOC_TIMESTAMP = 1531420618
DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F3977008"
    "85554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c4"
    "47fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


@pytest.fixture(autouse=True)
def _secrets(settings):
    d.configure(settings)


def test_slacks_documented_example_verifies(client, delivered):
    # given: Slack's own secret, timestamp, body and signature
    assert intake.signature(d.SLACK_SIGNING_SECRET, str(DOC_TIMESTAMP), DOC_BODY.encode()) == (
        DOC_SIGNATURE
    )

    # when: sent as Slack sent it, at its time (a slash command, not an Events API event)
    with time_machine.travel(dt.datetime.fromtimestamp(DOC_TIMESTAMP + 30, tz=dt.UTC), tick=False):
        response = d.slack_post(client, DOC_BODY, timestamp=DOC_TIMESTAMP, signature=DOC_SIGNATURE)

    # then: past the signature (401 otherwise), refused only as not JSON
    assert response.status_code == 400
    assert response.json() == {"error": "body_not_json"}
    assert delivered == []


def test_a_direct_message_is_handed_on_and_answered_with_an_empty_200(client, delivered):
    # given
    payload = d.slack_event(user="U2147483697", text=" Printer jams on every page ")

    # when
    response = d.slack_post(client, payload)

    # then
    assert response.status_code == 200
    assert response.content == b""
    [delivery] = delivered
    assert delivery.provider == "slack"
    assert delivery.event_id == payload["event_id"]
    assert delivery.sender == "U2147483697"
    assert delivery.text == "Printer jams on every page"
    assert delivery.chat == ""  # a direct message: answered to the sender
    assert (delivery.is_group, delivery.mentions_desk) == (False, True)
    assert (delivery.is_bot, delivery.is_edit, delivery.thread) == (False, False, "")
    assert delivery.raw["event"]["text"] == " Printer jams on every page "


def test_a_mention_in_a_channel_is_addressed_to_the_desk_without_the_mention(client, delivered):
    # when
    d.slack_post(
        client,
        d.slack_event(
            event_type="app_mention",
            user="U061F7AUR",
            text="<@U0LAN0Z89> is the VPN down?",
            channel="C0LAN2Q65",
            thread_ts="1515449522.000016",
        ),
    )

    # then
    [delivery] = delivered
    assert delivery.text == "is the VPN down?"
    assert (delivery.is_group, delivery.mentions_desk) == (True, True)
    assert delivery.chat == "C0LAN2Q65"
    assert delivery.thread == "1515449522.000016"


def test_a_channel_message_without_a_mention_is_not_addressed_to_the_desk(client, delivered):
    # when
    d.slack_post(client, d.slack_event(channel="C0LAN2Q65", channel_type="channel"))

    # then
    [delivery] = delivered
    assert (delivery.is_group, delivery.mentions_desk) == (True, False)


def test_bot_messages_and_edits_are_flagged(client, delivered):
    # when
    d.slack_post(client, d.slack_event(user=None, bot_id="B123ABC456", subtype="bot_message"))
    d.slack_post(client, d.slack_event(bot_id="B0OTHER"))
    d.slack_post(
        client,
        d.slack_event(
            user=None,
            text="",
            subtype="message_changed",
            message={"type": "message", "user": "U2147483697", "text": "Edited"},
        ),
    )

    # then
    bot, other_bot, edit = delivered
    assert bot.is_bot and other_bot.is_bot and not edit.is_bot
    assert edit.is_edit and (edit.sender, edit.text) == ("U2147483697", "Edited")


def test_other_events_and_system_subtypes_are_acknowledged_and_dropped(client, delivered):
    # when
    joined = d.slack_post(client, d.slack_event(subtype="channel_join"))
    reaction = d.slack_post(client, d.slack_event(event_type="reaction_added"))

    # then
    assert (joined.status_code, reaction.status_code) == (200, 200)
    assert delivered == []


def test_the_signed_url_challenge_is_answered(client, delivered):
    # given
    challenge = {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }

    # when
    signed = d.slack_post(client, challenge)
    forged = d.slack_post(client, challenge, secret="not-the-secret")

    # then
    assert signed.status_code == 200
    assert signed.json() == {"challenge": challenge["challenge"]}
    assert forged.status_code == 401
    assert delivered == []


def test_a_retry_is_handed_on_with_the_event_id_of_the_first_attempt(client, delivered):
    # given
    payload = d.slack_event()
    body = json.dumps(payload).encode()
    stamp = d.now_seconds()

    # when: the first attempt, then Slack's retry of it, signed afresh
    first = d.slack_post(client, body, timestamp=stamp)
    retry = d.slack_post(client, body, timestamp=stamp + 60, retry_num=1)

    # then: the core (which de-duplicates) sees one event id
    assert (first.status_code, retry.status_code) == (200, 200)
    assert [x.event_id for x in delivered] == [payload["event_id"]] * 2


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-301, 401), (301, 401), (-299, 200), (299, 200)],
    ids=["stale", "future", "within-before", "within-after"],
)
@pytest.mark.usefixtures("still_clock")
def test_the_window_is_five_minutes_either_side(client, delivered, offset, status):
    # when
    response = d.slack_post(client, d.slack_event(), timestamp=d.now_seconds() + offset)

    # then
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"error": "stale_timestamp"}
    assert len(delivered) == (status == 200)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"type": "event_callback", "event_id": "Ev1", "event": "text"}, "missing_event"),
        ({"type": "url_verification"}, "missing_challenge"),
    ],
    ids=["event-not-object", "challenge-missing"],
)
def test_a_malformed_signed_body_is_a_400_naming_the_field(client, delivered, body, error):
    # when
    response = d.slack_post(client, body)

    # then
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert delivered == []


def test_text_loses_nul_and_lone_surrogates(client, delivered):
    # given: JSON may carry both; PostgreSQL stores neither
    body = json.dumps(d.slack_event(text="a\x00b\ud800c")).encode()

    # when
    response = d.slack_post(client, body)

    # then
    assert response.status_code == 200
    assert delivered[0].text == "ab?c"


def test_an_empty_sender_is_handed_on_empty(client, delivered):
    # when
    d.slack_post(client, d.slack_event(user=None))
    d.slack_post(client, d.slack_event(user=""))

    # then: "" never matches a user (the core's rule)
    assert [x.sender for x in delivered] == ["", ""]


# --- through the core: what a person notices ------------------------------------------------


@pytest.fixture
def linked(db):
    """alice, whose Slack account is linked to her desk account."""
    return make_user("alice", Role.REQUESTER, slack_id="U2147483697")


def test_a_retry_of_a_handled_event_files_nothing_more(client, linked):
    # given
    body = json.dumps(d.slack_event(text="Monitor flickers")).encode()
    stamp = d.now_seconds()
    d.slack_post(client, body, timestamp=stamp)

    # when
    retry = d.slack_post(client, body, timestamp=stamp + 5, retry_num=1)

    # then
    assert retry.status_code == 200
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_retry_of_an_event_never_seen_is_filed(client, linked):
    # when: the first attempt never arrived
    response = d.slack_post(client, d.slack_event(text="No network"), retry_num=2)

    # then
    assert response.status_code == 200
    assert Ticket.objects.count() == 1
