"""The providers' secrets as admins see them: the IM connections page (masked, never in
full, the environment's values only) and the group robots' webhooks and signing secrets in
the admin (never shown back after saving; an empty input keeps what was saved)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import make_user
from channels.choices import Provider
from channels.models import InboundMessage, Robot
from channels.secrets import mask, masked_url
from channels.tests import deliveries as d

pytestmark = pytest.mark.django_db

PAGE = reverse("channels:connections")
OUTBOUND = {
    "SLACK_BOT_TOKEN": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "FEISHU_APP_ID": "cli_a1b2c3d4e5f6a7b8",
    "FEISHU_APP_SECRET": "dSeqHeNBa9oAbZKxDeRzJhF0WvTYoe2o",
    "DINGTALK_APP_KEY": "dingz7wq4ckb2vxq7k1o",
    "DINGTALK_ROBOT_CODE": "",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_AGENT_SECRET": "Xo2nmZCcBkBUp9WcJVmh4qLcs5s6hcBqL7kZzuS0Rrs",
}


@pytest.fixture
def configured(settings):
    """Every provider's intake secrets (the tests' published samples) and outbound keys."""
    d.configure(settings)
    for name, value in OUTBOUND.items():
        setattr(settings, name, value)
    settings.SITE_URL = "https://it.example.com/"
    return {**d.SECRETS, **OUTBOUND}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("8f742231b10e8888abcd99yyyzzz85a5", "••••••••85a5"),
        ("123456789012", "••••••••9012"),
        ("12345678901", "••••••••"),
        ("this is secret", "••••••••cret"),
        ("test key", "••••••••"),
        ("", ""),
    ],
)
def test_a_secret_shows_at_most_its_last_four_characters_and_none_when_short(value, shown):
    assert mask(value) == shown


@pytest.mark.parametrize(
    ("url", "key", "shown"),
    [
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "https://qyapi.weixin.qq.com/••••••••5aaa",
        ),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=XXXXXXbbbbbbccccccddddd",
            "XXXXXXbbbbbbccccccddddd",
            "https://oapi.dingtalk.com/••••••••dddd",
        ),
        (
            "https://open.feishu.cn/open-apis/bot/v2/hook/6ae2b6b7-2f4d-4f38-a1d6-a23e7ab1ae3c",
            "6ae2b6b7-2f4d-4f38-a1d6-a23e7ab1ae3c",
            "https://open.feishu.cn/••••••••ae3c",
        ),
        (
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.slack.com/••••••••XXXX",
        ),
    ],
    ids=["wecom", "dingtalk", "feishu", "slack"],
)
def test_a_webhook_shows_its_host_and_hides_its_key(url, key, shown):
    assert masked_url(url) == shown
    assert key not in masked_url(url)


# --- the IM connections page ----------------------------------------------------------------


def test_no_secret_appears_in_full_on_the_page(admin, web, configured):
    # when
    page = web(admin).get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # then: every setting is named; no value of any length is there in full
    for name, value in configured.items():
        assert name in page
        if value:
            assert value not in page, name
    assert "••••••••85a5" in page  # SLACK_SIGNING_SECRET, 32 characters
    assert "••••••••cret" in page  # DINGTALK_APP_SECRET, 14
    assert "not set" in page  # DINGTALK_ROBOT_CODE


def test_each_provider_shows_its_callback_url_links_and_last_message(admin, web, configured):
    # given: two people on WeCom (one of them also on Slack), one inactive; a message
    make_user("ann", Role.REQUESTER, wecom_id="ann", slack_id="U01")
    make_user("ben", Role.REQUESTER, wecom_id="ben")
    make_user("gone", Role.REQUESTER, wecom_id="gone", is_active=False)
    at = timezone.now() - dt.timedelta(hours=2)
    InboundMessage.objects.create(
        provider=Provider.WECOM, event_id="1", outcome="filed", received_at=at
    )

    # when
    response = web(admin).get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    # then
    by_provider = {c.provider: c for c in response.context["connections"]}
    assert {p: c.linked for p, c in by_provider.items()} == {
        "wecom": 2,
        "dingtalk": 0,
        "feishu": 0,
        "slack": 1,
    }
    assert by_provider["wecom"].last_message_at == at
    assert by_provider["slack"].last_message_at is None
    page = response.content.decode()
    for provider in d.PROVIDERS:
        assert f"https://it.example.com/api/v1/intake/im/{provider}/" in page
    assert "2 h ago" in page
    assert "never" in page


def test_a_provider_without_its_secrets_is_shown_not_receiving(admin, web, configured, settings):
    # given: Slack without its signing secret, WeCom with an unusable key
    settings.SLACK_SIGNING_SECRET = ""
    settings.WECOM_ENCODING_AES_KEY = "too-short-for-a-key"

    # when
    response = web(admin).get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    # then
    receiving = {c.provider: c.receiving for c in response.context["connections"]}
    assert receiving == {"wecom": False, "dingtalk": True, "feishu": True, "slack": False}
    page = response.content.decode()
    assert "Receiving: not configured" in page
    assert "Not usable: an EncodingAESKey is 43 characters of base64." in page
    assert "too-short-for-a-key" not in page


def test_the_page_costs_the_same_queries_with_more_people_and_messages(
    admin, web, configured, django_assert_num_queries
):
    # given
    client = web(admin)
    client.get(PAGE)
    for n in range(5):
        make_user(f"p{n}", Role.REQUESTER, feishu_id=f"ou_{n}", dingtalk_id=f"d{n}")
        InboundMessage.objects.create(
            provider=Provider.FEISHU, event_id=str(n), outcome="filed", received_at=timezone.now()
        )

    # then: the session, its user, its permissions (2), the linked counts, the latest
    # messages, the layout's unread count
    with django_assert_num_queries(7):
        assert client.get(PAGE).status_code == 200


def test_only_admins_see_the_page(alice, bob, tom, dave, admin, web, client):
    assert web(admin).get(PAGE).status_code == 200
    for person in (alice, bob, tom, dave):
        assert web(person).get(PAGE).status_code == 403
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_the_page_reads_in_both_languages(admin, web, configured):
    client = web(admin)
    english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    for text in ("IM connections", "Receiving: ready", "People linked", "not set"):
        assert text in english
        assert text not in chinese
    assert "企业微信" in chinese


# --- group robots in the admin --------------------------------------------------------------

WEBHOOK = "https://oapi.dingtalk.com/robot/send?access_token=c0ffee00c0ffee00c0ffee00beef"
TOKEN = "c0ffee00c0ffee00c0ffee00beef"
SIGNING = "SEC6a9e1b2c3d4e5f60718293a4b5c6d7e8f9"


@pytest.fixture
def dingtalk_robot(db) -> Robot:
    return Robot.objects.create(
        provider="dingtalk", name="Shanghai IT", webhook_url=WEBHOOK, secret=SIGNING, kinds=[]
    )


def _change(robot: Robot) -> str:
    return reverse("admin:channels_robot_change", args=[robot.pk])


def test_the_robot_list_and_form_never_show_the_webhook_key_or_the_secret(
    admin, web, dingtalk_robot
):
    # when
    client = web(admin)
    listed = client.get(reverse("admin:channels_robot_changelist")).content.decode()
    form = client.get(_change(dingtalk_robot)).content.decode()

    # then
    for page in (listed, form):
        assert "oapi.dingtalk.com" in page
        assert TOKEN not in page
        assert SIGNING not in page
    assert "https://oapi.dingtalk.com/••••••••beef" in form


def _post(robot: Robot, **fields: str) -> dict[str, str]:
    return {
        "provider": robot.provider,
        "name": robot.name,
        "webhook_url": "",
        "secret": "",
        "is_active": "on",
        **fields,
    }


def test_empty_inputs_keep_the_saved_webhook_and_secret(admin, web, dingtalk_robot):
    # when: saved with the name changed and both secrets left empty
    response = web(admin).post(_change(dingtalk_robot), _post(dingtalk_robot, name="Pudong IT"))

    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    dingtalk_robot.refresh_from_db()
    assert (dingtalk_robot.name, dingtalk_robot.webhook_url) == ("Pudong IT", WEBHOOK)
    assert dingtalk_robot.secret == SIGNING


def test_a_new_webhook_replaces_the_saved_one_and_is_checked(admin, web, dingtalk_robot):
    # given
    new = "https://oapi.dingtalk.com/robot/send?access_token=feedfacefeedface"
    client = web(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    # when
    private = client.post(
        _change(dingtalk_robot), _post(dingtalk_robot, webhook_url="https://10.0.0.1/x")
    )
    replaced = client.post(_change(dingtalk_robot), _post(dingtalk_robot, webhook_url=new))

    # then
    assert private.status_code == 200
    assert "This address is on a private or local network." in private.content.decode()
    assert replaced.status_code == 302
    dingtalk_robot.refresh_from_db()
    assert (dingtalk_robot.webhook_url, dingtalk_robot.secret) == (new, SIGNING)


def test_a_new_robot_needs_its_webhook(admin, web):
    # when
    response = web(admin).post(
        reverse("admin:channels_robot_add"),
        {"provider": "wecom", "name": "Beijing IT", "webhook_url": "", "is_active": "on"},
    )

    # then
    assert response.status_code == 200
    assert Robot.objects.count() == 0
