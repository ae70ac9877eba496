"""The IM message in each provider's format: Chinese and English differ where translated, and
text from people cannot add links or markup. (Every kind on every channel, in both
languages: ``test_render_every_kind``.)"""

from __future__ import annotations

import json
import zoneinfo

from channels.dingtalk import robot as dingtalk_robot
from channels.feishu import robot as feishu_robot
from channels.slack import robot as slack_robot
from channels.transports import message
from channels.wecom import robot as wecom_robot

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
