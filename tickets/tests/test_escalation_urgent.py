"""The tech leads' rung is urgent: on Feishu the message is made urgent in the app (加急,
``urgent_app``), on DingTalk a DING follows it; by e-mail and in the app the label says
"Urgent". A failure of the urgent call never sends the message twice.

The providers' APIs are a local HTTP server of the test's own (``channels.tests.http_sink``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import time_machine

from channels.tests.http_sink import Answer, Sink, point_providers_at, serve
from notifications import delivery
from notifications.choices import Urgency
from notifications.models import Notification
from sla import obligations
from tests.clock import sh
from tickets.choices import Impact, TicketNotice
from tickets.choices import Urgency as TicketUrgency
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

FEISHU_ID = "ou_7d8a6e6df7621556ce0d21922b676706"
DINGTALK_ID = "lead4220"
FILED = sh(2026, 11, 23, 10, 0)


@pytest.fixture
def sink() -> Iterator[Sink]:
    yield from serve()


@pytest.fixture
def providers(settings, sink: Sink) -> Sink:
    """Feishu and DingTalk on the local server, their urgent calls answered too."""
    point_providers_at(sink, settings, feishu_message_id="om_urgent")
    sink.answer(
        "/feishu/open-apis/im/v1/messages/om_urgent/urgent_app",
        Answer(body={"code": 0, "data": {"invalid_user_id_list": []}}),
    )
    sink.answer("/dingtalk/v1.0/robot/ding/send", Answer(body={"openDingId": "ding-1"}))
    return sink


@pytest.fixture
def escalated(alice, bob, tom, providers):
    """tom, the tech lead, linked Feishu and DingTalk; nobody accepts a high ticket for 30
    minutes."""
    tom.feishu_id, tom.dingtalk_id, tom.language = FEISHU_ID, DINGTALK_ID, "zh-hans"
    tom.save()
    with time_machine.travel(FILED, tick=False):
        make_ticket(requester=alice, impact=Impact.NETWORK, urgency=TicketUrgency.INTERRUPTED)
    for name in ("tickets.sla", "tickets.escalation"):
        obligations.sweep(name, now=sh(2026, 11, 23, 10, 30))
    return tom


def rung(person, channel: str) -> Notification:
    return Notification.objects.get(
        recipient=person, channel=channel, kind=TicketNotice.ESCALATION_TECH_LEAD
    )


def test_the_tech_leads_rung_reaches_their_ims_urgent(escalated):
    rows = Notification.objects.filter(recipient=escalated, kind=TicketNotice.ESCALATION_TECH_LEAD)
    assert sorted(rows.values_list("channel", flat=True)) == [
        "dingtalk",
        "email",
        "feishu",
        "in_app",
    ]
    assert {row.urgency for row in rows} == {Urgency.URGENT}


def test_feishu_makes_the_message_urgent_in_the_app(escalated, providers):
    assert delivery.send_notification(rung(escalated, "feishu").pk) is True

    (sent,) = providers.to("/feishu/open-apis/im/v1/messages")
    card = json.loads(sent.json()["content"])
    assert card["header"]["template"] == "red"
    assert card["header"]["title"]["content"].startswith("紧急")
    (urgent,) = providers.to("/feishu/open-apis/im/v1/messages/om_urgent/urgent_app")
    assert urgent.method == "PATCH"
    assert urgent.json() == {"user_id_list": [FEISHU_ID]}
    assert urgent.headers["authorization"] == "Bearer t-feishu"


def test_dingtalk_follows_the_message_with_a_ding(escalated, providers):
    assert delivery.send_notification(rung(escalated, "dingtalk").pk) is True

    (ding,) = providers.to("/dingtalk/v1.0/robot/ding/send")
    body = ding.json()
    assert body["receiverUserIdList"] == [DINGTALK_ID]
    assert body["remindType"] == 1
    assert "紧急" in body["content"]


def test_a_failed_urgent_call_keeps_the_message_sent_once(escalated, providers):
    providers.answer(
        "/feishu/open-apis/im/v1/messages/om_urgent/urgent_app",
        Answer(status=500, body={"code": 1}),
    )

    assert delivery.send_notification(rung(escalated, "feishu").pk) is True

    assert len(providers.to("/feishu/open-apis/im/v1/messages")) == 1
    assert rung(escalated, "feishu").sent_at is not None


def test_a_normal_notice_is_not_made_urgent(escalated, providers):
    breach = Notification.objects.filter(channel="feishu").exclude(
        kind=TicketNotice.ESCALATION_TECH_LEAD
    )
    for row in breach:
        delivery.send_notification(row.pk)

    assert providers.to("/feishu/open-apis/im/v1/messages/om_urgent/urgent_app") == []
    assert providers.to("/dingtalk/v1.0/robot/ding/send") == []
