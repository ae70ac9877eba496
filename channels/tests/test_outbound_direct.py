"""Direct messages: a notification about alice's ticket reaches her on each IM she linked,
through the provider's API (token fetched once, then the message), in the provider's
format; rate limits make the row wait without a worker sleeping; answers to IM senders
(``send_reply``) go out and never raise.

Every provider's API is a local HTTP server of the test's own (``http_sink``), let
through ``CHANNELS_ALLOWED_HOSTS`` for these tests only.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from accounts.models import User
from channels.models import OutboundThread
from channels.tasks import send_reply
from notifications import delivery
from notifications import tasks as notification_tasks
from notifications.models import Notification
from tickets.choices import TicketNotice, TicketState
from tickets.models import Ticket
from tickets.tests.factories import make_ticket, move_to

from .http_sink import Answer, Sink, point_providers_at

pytestmark = pytest.mark.django_db


SLACK_ID = "U0ALICE"
FEISHU_ID = "ou_7d8a6e6df7621556ce0d21922b676706"
DINGTALK_ID = "manager4220"
WECOM_ID = "ZhangLi"


@pytest.fixture(autouse=True)
def providers(settings, sink: Sink, allow_sink) -> Sink:
    """Every provider set up, its API base on the local server, with happy answers."""
    return point_providers_at(sink, settings)


@pytest.fixture
def linked_alice(alice: User) -> User:
    alice.slack_id = SLACK_ID
    alice.feishu_id = FEISHU_ID
    alice.dingtalk_id = DINGTALK_ID
    alice.wecom_id = WECOM_ID
    alice.language = "en"
    alice.save()
    return alice


@pytest.fixture
def accepted(linked_alice: User, bob: User) -> Ticket:
    """bob accepts alice's ticket: she is told on every channel."""
    return move_to(make_ticket(requester=linked_alice), TicketState.ACCEPTED, engineer=bob)


def row(user: User, channel: str, kind: str = TicketNotice.ACCEPTED) -> Notification:
    return Notification.objects.get(recipient=user, channel=channel, kind=kind)


def test_the_news_is_written_once_per_linked_im_beside_the_app_and_email(accepted, linked_alice):
    channels = set(
        Notification.objects.filter(recipient=linked_alice, kind=TicketNotice.ACCEPTED).values_list(
            "channel", flat=True
        )
    )
    assert channels == {"in_app", "email", "wecom", "dingtalk", "feishu", "slack"}


def test_slack_direct_message_with_the_bot_token_in_blocks(accepted, linked_alice, providers):
    # when
    assert delivery.send_notification(row(linked_alice, "slack").pk) is True

    # then
    (call,) = providers.to("/slack/chat.postMessage")
    assert call.headers["authorization"] == "Bearer xoxb-test-token"
    body = call.json()
    assert body["channel"] == SLACK_ID
    assert body["text"] == f"Your ticket was accepted: {accepted.number} {accepted.title}"
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Your ticket was accepted"},
    }
    assert accepted.number in body["blocks"][1]["text"]["text"]
    button = body["blocks"][2]["elements"][0]
    assert button["url"].endswith(f"/tickets/{accepted.number}/")
    assert button["text"]["text"] == "View details"
    # a reply in the message's thread lands on the ticket
    assert OutboundThread.objects.filter(
        provider="slack", thread_id="1700000000.000100", ticket=accepted
    ).exists()
    assert row(linked_alice, "slack").sent_at is not None


def test_feishu_direct_message_fetches_the_tenant_token_once(accepted, linked_alice, providers):
    # when: two messages
    assert delivery.send_notification(row(linked_alice, "feishu").pk) is True
    move_to(accepted, TicketState.DIAGNOSED, engineer=accepted.assignee)
    other = Notification.objects.filter(recipient=linked_alice, channel="feishu").exclude(
        kind=TicketNotice.ACCEPTED
    )
    for notification in other:
        delivery.send_notification(notification.pk)

    # then
    (token,) = providers.to("/feishu/open-apis/auth/v3/tenant_access_token/internal")
    assert token.json() == {"app_id": "cli_test", "app_secret": "feishu-secret"}
    sent = providers.to("/feishu/open-apis/im/v1/messages")
    assert len(sent) == 1 + other.count()
    first = sent[0]
    assert first.headers["authorization"] == "Bearer t-feishu"
    assert first.query == {"receive_id_type": "open_id"}
    body = first.json()
    assert (body["receive_id"], body["msg_type"]) == (FEISHU_ID, "interactive")
    card = json.loads(body["content"])
    assert card["header"]["title"] == {"tag": "plain_text", "content": "Your ticket was accepted"}
    assert accepted.number in card["elements"][0]["text"]["content"]
    assert card["elements"][1]["actions"][0]["url"].endswith(f"/tickets/{accepted.number}/")
    assert OutboundThread.objects.filter(provider="feishu", thread_id="om_first").exists()


def test_dingtalk_direct_message_through_the_robot_batch_send(accepted, linked_alice, providers):
    assert delivery.send_notification(row(linked_alice, "dingtalk").pk) is True

    (token,) = providers.to("/dingtalk/v1.0/oauth2/accessToken")
    assert token.json() == {"appKey": "dingkey", "appSecret": "ding-secret"}
    (call,) = providers.to("/dingtalk/v1.0/robot/oToMessages/batchSend")
    assert call.headers["x-acs-dingtalk-access-token"] == "t-dingtalk"
    body = call.json()
    assert (body["robotCode"], body["userIds"], body["msgKey"]) == (
        "dingkey",
        [DINGTALK_ID],
        "sampleMarkdown",
    )
    param = json.loads(body["msgParam"])
    assert param["title"] == "Your ticket was accepted"
    assert accepted.number in param["text"]
    assert f"(http://127.0.0.1:8000/tickets/{accepted.number}/)" in param["text"]


def test_wecom_direct_message_from_the_app(accepted, linked_alice, providers):
    assert delivery.send_notification(row(linked_alice, "wecom").pk) is True

    (token,) = providers.to("/wecom/cgi-bin/gettoken")
    assert token.query == {"corpid": "ww-corp", "corpsecret": "agent-secret"}
    (call,) = providers.to("/wecom/cgi-bin/message/send")
    assert call.query == {"access_token": "t-wecom"}
    body = call.json()
    assert (body["touser"], body["msgtype"], body["agentid"]) == (WECOM_ID, "markdown", 1000002)
    assert body["markdown"]["content"].startswith("**Your ticket was accepted**")
    assert accepted.number in body["markdown"]["content"]


def test_the_message_is_in_the_readers_language(accepted, linked_alice, providers):
    # given: alice reads Chinese
    User.objects.filter(pk=linked_alice.pk).update(language="zh-hans")

    # when
    delivery.send_notification(row(linked_alice, "slack").pk)

    # then
    body = providers.to("/slack/chat.postMessage")[0].json()
    with translation.override("zh-hans"):
        label = str(TicketNotice.ACCEPTED.label)
    assert label != "Your ticket was accepted"
    assert body["blocks"][0]["text"]["text"] == label
    assert body["blocks"][2]["elements"][0]["text"]["text"] == "查看详情"


def test_a_429_makes_the_row_wait_without_counting_an_attempt(accepted, linked_alice, providers):
    # given: Slack says "too fast, come back in 120 s"
    providers.answer(
        "/slack/chat.postMessage",
        Answer(
            status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "120"}
        ),
    )
    notification = row(linked_alice, "slack")

    # when
    sent = delivery.send_notification(notification.pk)

    # then: kept, not counted, and not taken again before the wait is over
    assert sent is False
    notification.refresh_from_db()
    assert notification.sent_at is None and notification.attempts == 0
    assert "slow down" in notification.last_error
    assert notification.pk not in delivery.pending_ids()
    wait_over = notification.claimed_at + delivery.CLAIM_TIMEOUT
    assert wait_over - timezone.now() > dt.timedelta(seconds=100)
    assert delivery.send_notification(notification.pk) is False
    assert len(providers.to("/slack/chat.postMessage")) == 1


def test_while_a_provider_is_backing_off_other_rows_wait_without_calling_it(
    accepted, linked_alice, bob, providers
):
    # given: Feishu answered its rate-limit code for one message
    providers.answer(
        "/feishu/open-apis/im/v1/messages",
        Answer(body={"code": 99991400, "msg": "request trigger frequency limit"}),
    )
    first = row(linked_alice, "feishu")
    delivery.send_notification(first.pk)
    calls = len(providers.to("/feishu/open-apis/im/v1/messages"))

    # when: the wait is over for the row (claim made stale) but not for Feishu
    Notification.objects.filter(pk=first.pk).update(claimed_at=None)
    again = delivery.send_notification(first.pk)

    # then: not sent, Feishu not called again
    assert again is False
    assert len(providers.to("/feishu/open-apis/im/v1/messages")) == calls

    # and once the back-off is over, it goes
    cache.delete("channels:limit:feishu")
    providers.answer(
        "/feishu/open-apis/im/v1/messages",
        Answer(body={"code": 0, "data": {"message_id": "om_2"}}),
    )
    Notification.objects.filter(pk=first.pk).update(claimed_at=None)
    assert delivery.send_notification(first.pk) is True


def test_a_person_the_provider_does_not_know_is_given_up_at_once(accepted, linked_alice, providers):
    providers.answer(
        "/wecom/cgi-bin/message/send",
        Answer(body={"errcode": 0, "errmsg": "ok", "invaliduser": WECOM_ID}),
    )
    notification = row(linked_alice, "wecom")

    assert delivery.send_notification(notification.pk) is False

    notification.refresh_from_db()
    assert notification.attempts == delivery.MAX_ATTEMPTS
    assert notification.pk not in delivery.pending_ids()


def test_a_server_error_keeps_the_row_for_the_next_attempt(accepted, linked_alice, providers):
    providers.answer("/slack/chat.postMessage", Answer(status=502, body={}))
    notification = row(linked_alice, "slack")

    assert delivery.send_notification(notification.pk) is False

    notification.refresh_from_db()
    assert (notification.attempts, notification.claimed_at) == (1, None)
    assert "HTTP 502" in notification.last_error
    assert notification.pk in delivery.pending_ids()


def test_a_provider_not_set_up_gets_no_rows(settings, linked_alice, bob):
    # given: no Slack token
    settings.SLACK_BOT_TOKEN = ""

    # when
    move_to(make_ticket(requester=linked_alice), TicketState.ACCEPTED, engineer=bob)

    # then
    channels = set(
        Notification.objects.filter(recipient=linked_alice, kind=TicketNotice.ACCEPTED).values_list(
            "channel", flat=True
        )
    )
    assert "slack" not in channels
    assert "feishu" in channels


def test_a_refused_api_base_gives_the_row_up(settings, accepted, linked_alice):
    # given: an API base pointing into the private network, nothing allowed
    settings.CHANNELS_ALLOWED_HOSTS = []
    settings.SLACK_API_BASE = "http://10.0.0.1/api"
    notification = row(linked_alice, "slack")

    assert delivery.send_notification(notification.pk) is False

    notification.refresh_from_db()
    assert notification.attempts == delivery.MAX_ATTEMPTS
    assert "non-public" in notification.last_error


# --- answers to IM senders (channels.send_reply) -----------------------------------------


def test_send_reply_answers_in_the_thread_and_remembers_it(accepted, providers):
    # when
    result = send_reply.apply(
        args=("slack", "C0GROUP", "Your ticket was filed."),
        kwargs={"thread": "1699999999.000200", "ticket_id": accepted.pk},
    ).get()

    # then
    assert result == "1700000000.000100"
    (call,) = providers.to("/slack/chat.postMessage")
    assert call.json() == {
        "channel": "C0GROUP",
        "text": "Your ticket was filed.",
        "unfurl_links": False,
        "thread_ts": "1699999999.000200",
    }
    assert OutboundThread.objects.filter(
        provider="slack", thread_id="1699999999.000200", ticket=accepted
    ).exists()


def test_send_reply_on_feishu_replies_to_the_message(providers):
    providers.answer(
        "/feishu/open-apis/im/v1/messages/om_root/reply",
        Answer(body={"code": 0, "data": {"message_id": "om_answer"}}),
    )

    result = send_reply.apply(args=("feishu", FEISHU_ID, "收到"), kwargs={"thread": "om_root"})

    assert result.get() == "om_answer"
    (call,) = providers.to("/feishu/open-apis/im/v1/messages/om_root/reply")
    assert call.json() == {"msg_type": "text", "content": json.dumps({"text": "收到"})}


def test_send_reply_on_dingtalk_and_wecom(providers):
    send_reply.apply(args=("dingtalk", DINGTALK_ID, "ok")).get()
    send_reply.apply(args=("wecom", WECOM_ID, "ok")).get()

    (ding,) = providers.to("/dingtalk/v1.0/robot/oToMessages/batchSend")
    assert ding.json()["msgKey"] == "sampleText"
    assert json.loads(ding.json()["msgParam"]) == {"content": "ok"}
    (wecom,) = providers.to("/wecom/cgi-bin/message/send")
    assert wecom.json() == {
        "touser": WECOM_ID,
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "ok"},
    }


def test_send_reply_retries_a_failing_provider_then_gives_up_without_raising(providers):
    # given: Slack keeps failing
    providers.answer("/slack/chat.postMessage", Answer(status=503, body={}))

    # when (eager: the retries run at once)
    result = send_reply.apply(args=("slack", SLACK_ID, "hello"))

    # then: the first try and five retries, then "" (logged), no exception
    assert result.get(propagate=False) == ""
    assert len(providers.to("/slack/chat.postMessage")) == 6


def test_send_reply_for_an_unknown_provider_or_missing_setup_sends_nothing(settings, providers):
    settings.SLACK_BOT_TOKEN = ""

    assert send_reply.apply(args=("slack", SLACK_ID, "hello")).get() == ""
    assert send_reply.apply(args=("telegram", "x", "hello")).get() == ""
    assert providers.requests == []


def test_a_workers_task_sends_a_burst_once_and_remembers_the_threads(
    accepted, linked_alice, providers
):
    # given: every pending row of alice's news, handed to a worker twice (a retried task)
    ids = list(
        Notification.objects.filter(recipient=linked_alice, sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )

    # when
    first = notification_tasks.dispatch_notifications(ids)
    second = notification_tasks.dispatch_notifications(ids)

    # then: one message per row, the Slack and Feishu threads remembered
    assert (first, second) == (len(ids), 0)
    assert len(providers.to("/slack/chat.postMessage")) == 1
    assert len(providers.to("/feishu/open-apis/im/v1/messages")) == 1
    assert set(
        OutboundThread.objects.filter(ticket=accepted).values_list("provider", flat=True)
    ) == {"slack", "feishu"}
    assert not Notification.objects.filter(recipient=linked_alice, sent_at__isnull=True).exists()
