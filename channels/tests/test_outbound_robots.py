"""Group robots: the news of the kinds a robot posts reaches its group once per cause, in the
provider's format and with its signature, through a local HTTP server of the test's own;
robots for another site, switched off, or of other kinds stay quiet; rate limits wait."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.sites import site as admin_site
from django.utils import timezone, translation

from accounts.models import Site, User
from channels import http, robots
from channels.admin import RobotForm
from channels.models import Robot, RobotPost
from channels.transports import limits, tokens
from notifications import outbox
from tickets.choices import Impact, TicketNotice, Urgency
from tickets.tests.factories import make_ticket

from .http_sink import Answer, Sink

pytestmark = pytest.mark.django_db


HIGH = {"impact": Impact.NETWORK, "urgency": Urgency.INTERRUPTED}
KIND = TicketNotice.SUBMITTED  # "New high-priority ticket": the engineers hear of it


@pytest.fixture(autouse=True)
def _clean_pools(allow_sink):
    http._pools.clear()
    tokens.forget_local()  # the cache was emptied for this test; so are the processes' copies
    limits.forget_local()


def robot(provider: str, url: str, **fields) -> Robot:
    return Robot.objects.create(
        provider=provider,
        name=f"{provider} desk group",
        webhook_url=url,
        kinds=fields.pop("kinds", [KIND]),
        **fields,
    )


def send_all() -> list[bool]:
    return [robots.send_post(pk) for pk in robots.pending_ids()]


@pytest.fixture
def outage(alice: User, bob: User, erin: User):
    return lambda: make_ticket(requester=alice, title="Core switch down", **HIGH)


def test_a_wecom_group_robot_posts_markdown(outage, sink: Sink):
    # given
    robot("wecom", sink.url("/cgi-bin/webhook/send?key=693a91f6"))

    # when: two engineers are told of one ticket; the group hears of it once
    ticket = outage()
    assert send_all() == [True]

    # then
    (call,) = sink.to("/cgi-bin/webhook/send")
    assert call.query == {"key": "693a91f6"}
    body = call.json()
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    with translation.override(django_settings.LANGUAGE_CODE):  # a group reads the desk's language
        label = str(KIND.label)
    assert content.splitlines()[0] == f"**{label}**"
    assert ticket.number in content and "Core switch down" in content
    assert f"/tickets/{ticket.number}/" in content


def test_a_dingtalk_robot_signs_the_url_with_timestamp_and_sign(outage, sink: Sink):
    # given
    secret = "SEC1a2b3c4d5e6f"
    robot("dingtalk", sink.url("/robot/send?access_token=abc123"), secret=secret)

    # when
    ticket = outage()
    send_all()

    # then
    (call,) = sink.to("/robot/send")
    assert call.query["access_token"] == "abc123"
    timestamp = call.query["timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert call.query["sign"] == expected
    body = call.json()
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert ticket.number in body["markdown"]["text"]


def test_a_feishu_bot_signs_the_body(outage, sink: Sink):
    # given
    secret = "fs-signing-secret"
    robot("feishu", sink.url("/open-apis/bot/v2/hook/9f1c"), secret=secret)

    # when
    ticket = outage()
    send_all()

    # then
    (call,) = sink.to("/open-apis/bot/v2/hook/9f1c")
    body = call.json()
    timestamp = body["timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    key = f"{timestamp}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "interactive"
    assert "Core switch down" in body["card"]["elements"][0]["text"]["content"]
    assert ticket.number in body["card"]["elements"][0]["text"]["content"]


def test_an_unsigned_feishu_bot_sends_no_signature(outage, sink: Sink):
    robot("feishu", sink.url("/open-apis/bot/v2/hook/plain"))

    outage()
    send_all()

    body = sink.to("/open-apis/bot/v2/hook/plain")[0].json()
    assert "sign" not in body and "timestamp" not in body


def test_a_slack_incoming_webhook_gets_text_and_blocks(outage, sink: Sink):
    robot("slack", sink.url("/services/T000/B000/XXXX"))
    sink.answer("/services/T000/B000/XXXX", Answer(body=b"ok"))

    ticket = outage()
    assert send_all() == [True]

    body = sink.to("/services/T000/B000/XXXX")[0].json()
    assert set(body) == {"text", "blocks"}
    assert ticket.number in body["text"]
    assert body["blocks"][0]["type"] == "header"


def test_robots_of_another_site_other_kinds_or_switched_off_stay_quiet(
    alice, bob, erin, sink: Sink
):
    # given: alice files at Shanghai
    shanghai = Site.objects.create(code="sh", name="Shanghai")
    beijing = Site.objects.create(code="bj", name="Beijing")
    User.objects.filter(pk=alice.pk).update(site=shanghai)
    alice.refresh_from_db()
    here = robot("wecom", sink.url("/here?key=1"), site=shanghai)
    robot("wecom", sink.url("/there?key=2"), site=beijing)
    robot("wecom", sink.url("/other-kind?key=3"), kinds=[TicketNotice.ASSIGNED])
    robot("wecom", sink.url("/off?key=4"), is_active=False)

    # when
    make_ticket(requester=alice, **HIGH)
    send_all()

    # then
    assert list(RobotPost.objects.values_list("robot", flat=True)) == [here.pk]
    assert [r.path for r in sink.requests] == ["/here"]


def test_a_cause_written_twice_posts_once(bob, sink: Sink):
    # given
    robot("wecom", sink.url("/hook?key=1"))
    rows = outbox.build(
        recipients=[bob],
        kind=KIND,
        cause="event:42",
        now=timezone.now(),
        payload={"number": "IT-1", "title": "x"},
    )

    # when: the same cause saved twice (a retried sweep)
    outbox.save_and_dispatch(rows)
    outbox.save_and_dispatch(rows)

    # then
    assert RobotPost.objects.count() == 1
    assert send_all() == [True]
    assert send_all() == []


def test_without_robots_the_outbox_writes_no_extra_query(bob, django_assert_num_queries):
    rows = outbox.build(recipients=[bob], kind=KIND, cause="event:7", now=timezone.now())

    with django_assert_num_queries(0):
        robots.on_notifications(rows)


def test_a_robot_saved_or_deleted_updates_the_kinds_robots_post(sink: Sink):
    assert robots.posted_kinds() == set()

    one = robot("wecom", sink.url("/hook?key=1"), kinds=[KIND, TicketNotice.ASSIGNED])
    assert robots.posted_kinds() == {KIND, TicketNotice.ASSIGNED}

    one.delete()
    assert robots.posted_kinds() == set()


def test_a_rate_limited_robot_waits_and_is_not_called_meanwhile(outage, sink: Sink):
    # given: DingTalk's "too fast" errcode
    robot("dingtalk", sink.url("/robot/send?access_token=a"))
    sink.answer("/robot/send", Answer(body={"errcode": 130101, "errmsg": "send too fast"}))
    outage()

    # when
    assert send_all() == [False]

    # then: kept, not counted, claimed until the wait is over
    post = RobotPost.objects.get()
    assert (post.sent_at, post.attempts) == (None, 0)
    assert robots.pending_ids() == []
    RobotPost.objects.update(claimed_at=None)  # as if the row's wait were over
    assert send_all() == [False]  # the robot itself still backs off: not called
    assert len(sink.to("/robot/send")) == 1


def test_a_robot_webhook_into_the_private_network_is_given_up(outage, settings):
    settings.CHANNELS_ALLOWED_HOSTS = []
    robot("wecom", "http://169.254.169.254/latest/meta-data/")
    outage()

    assert send_all() == [False]

    post = RobotPost.objects.get()
    assert post.attempts == robots.MAX_ATTEMPTS
    assert "non-public" in post.last_error


def test_the_admin_keeps_the_secret_hidden_and_refuses_private_webhooks(settings):
    settings.CHANNELS_ALLOWED_HOSTS = []
    existing = robot("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a", secret="s1")
    data = {
        "provider": "dingtalk",
        "name": "Shanghai IT",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=a",
        "secret": "",
        "kinds": [KIND],
        "is_active": "on",
    }

    # the secret is never rendered back, and an empty field keeps it
    form = RobotForm(instance=existing)
    assert "s1" not in str(form["secret"])
    form = RobotForm(data=data, instance=existing)
    assert form.is_valid(), form.errors
    assert form.save().secret == "s1"

    # a private or plain-http webhook is refused, naming the field
    for url in ("http://oapi.dingtalk.com/robot/send", "https://10.0.0.1/hook"):
        form = RobotForm(data={**data, "webhook_url": url}, instance=existing)
        assert not form.is_valid()
        assert "webhook_url" in form.errors
    assert Robot in admin_site._registry


def test_the_robot_list_shows_only_the_webhook_host_and_names_as_text(admin, web):
    robot("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY")
    Robot.objects.update(name="<script>alert(1)</script>IT群")

    page = web(admin).get("/admin/channels/robot/").content.decode()

    assert "qyapi.weixin.qq.com" in page
    assert "SECRETKEY" not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;IT群" in page


def test_posts_are_in_the_desks_language_and_the_sites_zone(bob, sink: Sink, settings):
    # given: a due time in the payload, a robot for a site in Urumqi
    settings.LANGUAGE_CODE = "en"
    urumqi = Site.objects.create(code="urc", name="Urumqi", time_zone="Asia/Urumqi")
    robot("wecom", sink.url("/hook?key=1"), site=None, kinds=[TicketNotice.RESPONSE_WARNING])
    post_rows = outbox.build(
        recipients=[bob],
        kind=TicketNotice.RESPONSE_WARNING,
        cause="sla:1:response_warning:x",
        now=timezone.now(),
        payload={"number": "IT-9", "title": "VPN", "due_at": "2026-11-26T04:30:00+00:00"},
    )
    outbox.save_and_dispatch(post_rows)
    Robot.objects.update(site=urumqi)

    send_all()

    content = sink.to("/hook")[0].json()["markdown"]["content"]
    assert "Response due soon" in content
    assert "2026-11-26 10:30 (Asia/Urumqi)" in content
    assert json.dumps("IT-9")[1:-1] in content
