"""Every notification kind renders on every channel, in Chinese and in English.

The kinds come from the registry (``notifications.kinds``): a kind a feature adds is
covered without touching this file (with the ticket payload below until it gets its own
example). The channels: in the app (the inbox), the e-mail's text and HTML, and each IM
provider's direct message and group-robot format. Each rendering is checked as a reader
sees it (markup, JSON keys and links taken away): not empty, naming the ticket (or the
incident, or the period), no template placeholder left, no ISO time, the payload's times
in the reader's zone, Chinese in Chinese and none in English — and, in Chinese, no English
word that is not the payload's own text (an untranslated string).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import Site, User
from channels import robots
from channels.dingtalk import robot as dingtalk_robot
from channels.dingtalk import transport as dingtalk
from channels.feishu import robot as feishu_robot
from channels.feishu import transport as feishu
from channels.models import Robot, RobotPost
from channels.slack import robot as slack_robot
from channels.slack import transport as slack
from channels.transports import message
from channels.wecom import robot as wecom_robot
from channels.wecom import transport as wecom
from notifications import kinds
from notifications.choices import NotificationChannel
from notifications.models import Notification
from notifications.transports import email

pytestmark = pytest.mark.django_db

TICKET = {"number": "IT-20261126-0042", "title": "VPN drops every 10 minutes"}
INCIDENT = {"number": "MI-20261126-0003", "title": "ERP down for all sites"}
# 04:30 UTC is 12:30 in Shanghai, where the readers and the robots' site are.
DUE = "2026-11-26T04:30:00+00:00"
WHEN = "2026-11-27T01:00:00+00:00"
LOCAL = {DUE: "2026-11-26 12:30", WHEN: "2026-11-27 09:00"}
SUMMARY = {
    "from": "2026-11-16",
    "to": "2026-11-22",
    "tickets": 41,
    "response_met_pct": 92.5,
    "response_breached": 3,
    "response_pending": 1,
    "resolution_met_pct": 88.0,
    "resolution_breached": 4,
    "resolution_pending": 2,
    "open_at_end": 7,
    "surveys_answered": 12,
    "rating_avg": 4.42,
}
# What the features put in each kind's payload (where they build their rows); a kind not
# named here is a ticket's news with the ticket's number and title.
PAYLOADS: dict[str, dict[str, Any]] = {
    "ticket_resolved": {**TICKET, "confirm_by_day": "2026-11-29"},
    "response_warning": {**TICKET, "due_at": DUE},
    "response_breach": {**TICKET, "due_at": DUE},
    "resolution_warning": {**TICKET, "due_at": DUE},
    "resolution_breach": {**TICKET, "due_at": DUE},
    "plan_window_proposed": {
        **TICKET,
        "window_start_at": WHEN,
        "window_end_at": "2026-11-27T02:00:00+00:00",
    },
    "plan_window_confirmed": {
        **TICKET,
        "window_start_at": WHEN,
        "window_end_at": "2026-11-27T02:00:00+00:00",
    },
    "visit_scheduled": {**TICKET, "when_at": WHEN},
    "visit_rescheduled": {**TICKET, "when_at": WHEN},
    "visit_cancelled": {**TICKET, "when_at": WHEN},
    "visit_confirmed": {**TICKET, "when_at": WHEN},
    "visit_time_proposed": {**TICKET, "when_at": WHEN},
    "visit_sent": {**TICKET, "when_at": WHEN},
    "vendor_case_opened": {**TICKET, "vendor": "Acme Networks"},
    "vendor_update_due": {**TICKET, "due_at": DUE, "vendor": "Acme Networks"},
    "vendor_update_overdue": {**TICKET, "due_at": DUE, "vendor": "Acme Networks"},
    "incident_declared": {**INCIDENT, "commander": "tom", "you_command": True},
    "incident_ticket_linked": {**INCIDENT, "tickets": ["IT-20261126-0042"]},
    "incident_member_added": {**INCIDENT, "role": "engineer"},
    "incident_status_reminder": {**INCIDENT, "slot_at": DUE},
    "incident_task_force_late": {**INCIDENT, "due_at": DUE},
    "incident_restored": {
        **INCIDENT,
        "restored_at": DUE,
        "restoration": "Failed over to the standby server.",
        "tickets": ["IT-20261126-0042"],
    },
    "incident_resolved": {**INCIDENT, "resolved_at": DUE},
    "incident_report": {
        **INCIDENT,
        "status": "identified",
        "impact": "Nobody can post invoices or orders.",
        "done": "The disk array failed.",
        "next_steps": "Fail over to the standby server.",
        "no_new_status": False,
        "late": True,
        "missed": 2,
        "slot_at": DUE,
        "next_report_at": "2026-11-26T05:00:00+00:00",
    },
    "survey_invited": {**TICKET, "answer_by_day": "2026-12-03"},
    "survey_low_rating": {
        **TICKET,
        "requester": "Alice Chen",
        "assignee": "Bob Li",
        "speed": 2,
        "quality": 1,
        "attitude": 3,
    },
    "training_invited": {"number": "TR-7", "title": "Printer drivers, hands-on", "when_at": WHEN},
    "drill_assigned": {"number": "DR-3", "title": "Printing"},
    "drill_scored": {"number": "DR-3", "title": "Drill: printer prints blank pages"},
    "reports_weekly_summary": {
        "number": "2026-W47",
        "title": "2026-11-16 – 2026-11-22",
        **SUMMARY,
    },
    "reports_monthly_summary": {
        "number": "2026-10",
        "title": "2026-10-01 – 2026-10-31",
        **{**SUMMARY, "from": "2026-10-01", "to": "2026-10-31"},
    },
}
LANGUAGES = ["zh-hans", "en"]
PROVIDERS = ["wecom", "dingtalk", "feishu", "slack"]
CHINESE = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")
LEFTOVERS = ("%(", ")s", "{{", "}}", "{%", "%}", "None", "[missing]")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]00:00")
URL = re.compile(r"https?://\S+")
# Names that stay as they are in Chinese text: time zones, the product's "IT", providers.
KEPT = ("Asia/Shanghai", "IT", "Slack")


def all_kinds() -> list[str]:
    return [str(member.value) for member in kinds.registered()]


def payload_of(kind: str) -> dict[str, Any]:
    return PAYLOADS.get(kind, TICKET)


def link_of(payload: dict[str, Any]) -> str:
    """The page a feature links its notice to (by the number's kind)."""
    number = str(payload["number"])
    pages = {
        "IT-": f"/tickets/{number}/",
        "MI-": f"/incidents/{number}/",
        "TR-": "/training/sessions/7/",
        "DR-": "/training/drills/3/",
    }
    if number[:3] in pages:
        return pages[number[:3]]
    return f"/reports/sla/?from={payload['from']}&to={payload['to']}"


# --- what a reader sees of each format ------------------------------------------------------


def seen_in_html(page: str) -> str:
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<head>.*?</head>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def seen_in_markdown(text: str) -> str:
    """WeCom's and DingTalk's markdown: tags and link targets are not shown."""
    text = re.sub(r"\]\((https?://[^)]+)\)", "] ", text)
    return re.sub(r"<[^>]+>", " ", text)


def seen_in_json(data: Any) -> str:
    """The texts of a card, blocks or markdown message (its ``content`` and ``text``
    strings), not its keys, as the IM shows them (link targets and tags taken away)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("content", "text") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return seen_in_markdown("\n".join(found))


def in_app(reader: User) -> str:
    """The notification's entry in the reader's inbox (its one row)."""
    client = Client()
    client.force_login(reader)
    page = client.get("/notifications/").content.decode()
    [item] = re.findall(r'<button type="submit" class="list-group-item.*?</button>', page, re.S)
    return item


def robot_post(provider: str, kind: str, payload: dict[str, Any], site: Site) -> message.Message:
    """A group robot's message as ``channels.robots`` composes it (the desk's language)."""
    post = RobotPost(
        robot=Robot(provider=provider, site=site), kind=kind, payload=payload, link=link_of(payload)
    )
    return robots.compose(post)


# Each provider's message as its API receives it: a direct message, a group robot's post.
DIRECT: dict[str, Callable[[message.Message], Any]] = {
    "wecom": lambda msg: {"content": wecom.markdown(msg)},
    "dingtalk": lambda msg: dict(zip(("title", "text"), dingtalk.markdown(msg), strict=True)),
    "feishu": feishu.card,
    "slack": lambda msg: dict(zip(("text", "blocks"), slack.blocks(msg), strict=True)),
}
ROBOT: dict[str, Callable[[message.Message], Any]] = {
    "wecom": wecom_robot.payload,
    "dingtalk": dingtalk_robot.payload,
    "feishu": feishu_robot.payload,
    "slack": slack_robot.payload,
}


@dataclass(frozen=True)
class Shown:
    raw: str  # as sent (markup, JSON)
    seen: str  # what the reader reads of it


def as_json(structure: Any) -> Shown:
    return Shown(json.dumps(structure, ensure_ascii=False), seen_in_json(structure))


def renderings(kind: str, language: str, settings: Any) -> dict[str, Shown]:
    """Every channel's rendering of one notification of ``kind`` to a reader in Shanghai who
    reads ``language`` (the robots speak the desk's language, set to the same)."""
    settings.LANGUAGE_CODE = language
    site, _ = Site.objects.get_or_create(
        code="sh", defaults={"name": "Shanghai", "time_zone": "Asia/Shanghai"}
    )
    reader = User.objects.create(
        username=f"reader-{language}",
        display_name="Wang Fang",
        email="wang@example.com",
        language=language,
        site=site,
    )
    payload = payload_of(kind)
    row = Notification.objects.create(
        recipient=reader,
        channel=NotificationChannel.IN_APP,
        kind=kind,
        link=link_of(payload),
        payload=payload,
        dedupe_key=f"matrix:{kind}:{language}",
        created_at=timezone.now(),
        sent_at=timezone.now(),
    )
    mail = email.message(row)
    [(mail_html, _mimetype)] = mail.alternatives
    item = in_app(reader)
    shown = {
        "in-app": Shown(item, seen_in_html(item)),
        "email subject": Shown(mail.subject, mail.subject),
        "email text": Shown(mail.body, mail.body),
        "email html": Shown(str(mail_html), seen_in_html(str(mail_html))),
    }
    direct = message.for_notification(row)
    for provider in PROVIDERS:
        shown[f"{provider} direct"] = as_json(DIRECT[provider](direct))
        shown[f"{provider} robot"] = as_json(
            ROBOT[provider](robot_post(provider, kind, payload, site))
        )
    return shown


def payload_texts(payload: dict[str, Any]) -> list[str]:
    """The people's and the features' own words in a payload (kept as they are), longest
    first."""
    values = [
        v for value in payload.values() for v in (value if isinstance(value, list) else [value])
    ]
    texts = [v for v in values if isinstance(v, str) and not ISO_TIME.search(v)]
    return sorted(texts, key=len, reverse=True)


def untranslated(text: str, payload: dict[str, Any]) -> list[str]:
    """English words left in a Chinese rendering once links, the payload's own words and
    names kept in every language are taken away."""
    text = URL.sub(" ", text)
    for kept in (*payload_texts(payload), "Wang Fang", *KEPT):
        text = text.replace(kept, " ")
    text = re.sub(r"\[ref:[a-z0-9-]+\]", " ", text)
    return re.findall(r"[A-Za-z]{3,}", text)


def test_the_kinds_registry_is_filled():
    assert len(all_kinds()) > 30


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", all_kinds())
def test_every_kind_renders_on_every_channel(kind, language, settings):
    payload = payload_of(kind)
    number = str(payload["number"])
    url = f"http://127.0.0.1:8000{link_of(payload)}"
    local_times = [
        LOCAL[v] for k, v in payload.items() if k in ("due_at", "when_at") and v in LOCAL
    ]
    with translation.override(language):
        label = kinds.label(kind)

    shown = renderings(kind, language, settings)

    problems = []
    for channel, rendering in shown.items():
        where = f"{kind} {language} {channel}"
        text = rendering.seen
        if not text.strip():
            problems.append(f"{where}: empty")
            continue
        problems += [f"{where}: no {part}" for part in (number, label) if part not in text]
        problems += [f"{where}: {left!r} left" for left in LEFTOVERS if left in text]
        if ISO_TIME.search(URL.sub(" ", text)):
            problems.append(f"{where}: an ISO time")
        if channel not in ("in-app", "email subject"):
            problems += [f"{where}: no {t} (Shanghai)" for t in local_times if t not in text]
            if url not in html.unescape(rendering.raw):
                problems.append(f"{where}: no link to {url}")
        has_chinese = CHINESE.search(text) is not None
        if language == "en" and has_chinese:
            problems.append(f"{where}: Chinese in English: {CHINESE.findall(text)}")
        if language == "zh-hans":
            if not has_chinese:
                problems.append(f"{where}: no Chinese")
            if words := untranslated(text, payload):
                problems.append(f"{where}: untranslated {words}")
    assert problems == [], "\n".join(problems)
