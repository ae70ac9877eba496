"""Every notification kind renders on every IM channel, in Chinese and in English, in each
provider's format (direct message and group robot); text from people cannot add markup."""

from __future__ import annotations

import json
import zoneinfo

import pytest
from django.utils import translation

from channels.dingtalk import robot as dingtalk_robot
from channels.feishu import robot as feishu_robot
from channels.slack import robot as slack_robot
from channels.transports import message
from channels.wecom import robot as wecom_robot
from notifications import kinds

PAYLOAD = {
    "number": "IT-20261126-0042",
    "title": "VPN drops every 10 minutes",
    "due_at": "2026-11-26T04:30:00+00:00",
    "when_at": "2026-11-27T01:00:00+00:00",
    "confirm_by_day": "2026-11-29",
}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FORMATS = {
    "wecom": lambda msg: wecom_robot.payload(msg)["markdown"]["content"],
    "dingtalk": lambda msg: dingtalk_robot.payload(msg)["markdown"]["text"],
    "feishu": lambda msg: json.dumps(feishu_robot.payload(msg), ensure_ascii=False),
    "slack": lambda msg: json.dumps(slack_robot.payload(msg), ensure_ascii=False),
}


def all_kinds() -> list[str]:
    return [str(member.value) for member in kinds.registered()]


def test_the_kinds_registry_is_filled():
    assert len(all_kinds()) > 30


@pytest.mark.parametrize("provider", sorted(FORMATS))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_renders_on_every_im_channel(provider, language):
    render = FORMATS[provider]
    for kind in all_kinds():
        msg = message.compose(
            kind=kind,
            payload=PAYLOAD,
            link="/tickets/IT-20261126-0042/",
            language=language,
            zone=SHANGHAI,
        )
        shown = render(msg)
        with translation.override(language):
            label = kinds.label(kind)
        assert label in shown, (kind, language)
        assert "IT-20261126-0042" in shown
        assert "2026-11-26 12:30" in shown  # the due time, in the reader's zone
        assert "http://127.0.0.1:8000/tickets/IT-20261126-0042/" in shown


def test_chinese_and_english_differ_where_translated():
    zh = message.compose(kind="reply", payload=PAYLOAD, link="/", language="zh-hans", zone=SHANGHAI)
    en = message.compose(kind="reply", payload=PAYLOAD, link="/", language="en", zone=SHANGHAI)

    assert (en.link_text, zh.link_text) == ("View details", "查看详情")
    assert en.facts[1][0] == "Due" and zh.facts[1][0] != "Due"
    assert "confirm" in en.note and "confirm" not in zh.note


def test_a_title_cannot_add_links_or_markup():
    hostile = {"number": "IT-1", "title": "[click](http://evil.example) <at user_id='all'>\n# big"}
    msg = message.compose(kind="reply", payload=hostile, link="/", language="en", zone=SHANGHAI)

    for provider in ("wecom", "dingtalk", "feishu"):
        shown = FORMATS[provider](msg)
        assert "[click](http://evil.example)" not in shown
        assert "<at" not in shown
        assert "\n# big" not in shown
    slack = FORMATS["slack"](msg)
    assert "<at" not in slack and "&lt;at" in slack
