"""The incidents part of the demo data (``manage.py load_demo``): one major incident, over and
reviewed, declared on the tickets part's company-wide mail delay.

Runs after the tickets part (``INSTALLED_APPS`` order). tom declares it from carol's ticket a
few minutes after his first note; erin and bob make the task force within the 10 minutes;
alice and frank report the same outage and erin links their tickets; the status notes, the
two 30-minute management reports (sent by the incident clocks' own sweep, run at each slot
under the demo clock), the restoration and the resolution follow; the desk then resolves the
three tickets, and tom writes the post-incident review with its actions.

Why over and reviewed: an incident still open when the demo loads would have its report grid
fall due at every sweep from the real now on (a report to the managers and, with no new
note, a reminder to tom every 30 minutes) and the banner on every staff page. Reviewed, its
clock is stopped (``next_check_at`` is empty): the first sweep after ``load_demo`` finds
nothing of it to send.

Everything goes through ``incidents.services``, ``incidents.review`` and
``tickets.services`` by the named people. Requesters write in their own language; what the
desk writes is in Chinese, then English on a second line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Site, User
from incidents import review, services
from incidents.choices import IncidentStatus, MemberRole
from incidents.clocks import REPORT_EVERY
from incidents.errors import IncidentNotFound, IncidentsForbidden
from incidents.models import IncidentReport, MajorIncident
from incidents.obligations import sweep_incidents
from tickets import services as ticket_services
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket

MINUTE = dt.timedelta(minutes=1)
SERVICE_ERRORS = (
    ActionForbidden,
    IncidentNotFound,
    IncidentsForbidden,
    InvalidTransition,
    TicketNotFound,
    ValidationError,
)

SOURCE_TICKET = "全公司邮件延迟，外部邮件半小时后才收到"
TITLE = "全公司外部邮件延迟 30 分钟以上 / Company-wide external mail 30+ min late"
DECLARED_AFTER = 16 * MINUTE  # after the source ticket was filed: after tom's first note
RESTORED_AFTER = 70 * MINUTE  # after the declaration
RESOLVED_AFTER = 180 * MINUTE
REVIEWED_AFTER = 300 * MINUTE


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context (sites, people, the tickets made before)
    and fills in (the tickets reporting the same outage, appended to ``tickets``)."""

    now: dt.datetime
    sites: dict[str, Site]
    users: dict[str, User]
    tickets: list[Ticket]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]: ...


@dataclass(frozen=True)
class OutageReport:
    """The same outage reported by someone else, a few minutes after the declaration."""

    requester: str
    after: int  # minutes after the declaration
    title: str
    description: str
    affected_system: str
    scenario: str
    channel: str = "web"


REPORTS = [
    OutageReport(
        requester="alice",
        after=2,
        title="客户的对账邮件一直收不到",
        description="客户说一个小时前就把对账单发过来了，到现在还没收到，"
        "内部同事发的邮件是正常的。今天要和客户核对完月底的应收款。",
        affected_system="Outlook（Microsoft 365）",
        scenario="接收外部客户的对账邮件",
        channel="im",
    ),
    OutageReport(
        requester="frank",
        after=5,
        title="Customer emails arrive about 40 minutes late",
        description="Emails from our customers in Germany show up 40 minutes after "
        "they say they sent them. Internal mail is instant.",
        affected_system="Outlook for Microsoft 365",
        scenario="Receiving customer emails",
    ),
]


@contextmanager
def _step(context: Context, moment: dt.datetime, what: str) -> Iterator[None]:
    """One service call at ``moment`` (never after the demo's now), its failure named."""
    with context.stopped_at(min(moment, context.now)):
        try:
            yield
        except SERVICE_ERRORS as exc:
            raise CommandError(f"Demo major incident: {what} failed: {exc!r}") from exc


def load(context: Context) -> None:
    source = next((t for t in context.tickets if t.title == SOURCE_TICKET), None)
    if source is None:
        raise CommandError(f"Demo major incident: the demo ticket “{SOURCE_TICKET}” is missing.")
    users = context.users
    tom, erin, bob = users["tom"], users["erin"], users["bob"]
    declared = source.submitted_at + DECLARED_AFTER
    with _step(context, declared, "tom declares the incident"):
        incident = services.declare(
            actor=tom,
            title=TITLE,
            ticket=source,
            impact="上海、北京、深圳三地的外部来信延迟 30 分钟以上，邮件网关队列积压约 4,000 封；"
            "内部邮件正常。"
            "\nAt every site external mail arrives 30+ minutes late, about 4,000 messages wait "
            "at the mail gateway; internal mail is fine.",
            affected_services="Exchange Server 2019、反垃圾邮件网关 / "
            "Exchange 2019, anti-spam gateway",
            sites=list(context.sites.values()),
        )
    pk = incident.pk
    with _step(context, declared + 3 * MINUTE, "tom adds erin to the task force"):
        services.add_member(pk, actor=tom, user=erin, role=MemberRole.ENGINEER)
    with _step(context, declared + 6 * MINUTE, "bob joins the task force"):
        services.add_member(pk, actor=bob, user=bob, role=MemberRole.ENGINEER)
    reported = _same_outage(context, declared)
    with _step(context, declared + 9 * MINUTE, "erin links the tickets"):
        services.link_tickets(pk, actor=erin, numbers=[t.number for t in reported])
    with _step(context, declared + 12 * MINUTE, "tom writes what was found"):
        services.post_status(
            pk,
            actor=tom,
            status=IncidentStatus.IDENTIFIED,
            note="已定位：网关昨晚更新了附件深度扫描规则，单封扫描从 2 秒升到 40 秒，队列积压。"
            "\nFound: last night's gateway update turned on deep attachment scanning; a scan "
            "went from 2 s to 40 s and the queue backed up.",
            next_steps="回滚扫描规则，观察队列消化；请厂商给出调优参数。"
            "\nRoll the scanning rules back and watch the queue drain; ask the vendor for "
            "tuning values.",
        )
    _report(context, declared, 1)
    with _step(context, declared + 45 * MINUTE, "erin writes the progress"):
        services.post_status(
            pk,
            actor=erin,
            status=IncidentStatus.IDENTIFIED,
            note="扫描规则已回滚，队列从约 4,000 封降到 1,200 封，新来信 2 分钟内送达。"
            "\nRules rolled back: the queue is down from about 4,000 to 1,200, new mail "
            "arrives within 2 minutes.",
            next_steps="继续观察直到队列清空，再确认恢复。\nWatch until the queue is empty, then "
            "confirm the restoration.",
        )
    _report(context, declared, 2)
    with _step(context, declared + RESTORED_AFTER, "tom records the restoration"):
        services.record_restoration(
            pk,
            actor=tom,
            restoration="扫描规则已回滚，积压邮件全部投递，外部来信恢复实时送达。"
            "\nScanning rules rolled back, the backlog delivered: external mail arrives in "
            "real time again.",
        )
    with _step(context, declared + RESOLVED_AFTER, "tom resolves the incident"):
        services.post_status(
            pk,
            actor=tom,
            status=IncidentStatus.RESOLVED,
            note="按厂商的调优参数（20 MB 以上附件异步扫描、单封超时 10 秒）"
            "在测试网关验证后重新启用新规则，队列保持为 0。"
            "\nThe vendor's tuning (asynchronous scans above 20 MB, 10 s per message) passed on "
            "the test gateway and is live; the queue stays at 0.",
        )
    _resolve_tickets(context, source, reported, declared + RESOLVED_AFTER)
    _review(context, pk, declared + REVIEWED_AFTER)
    context.tickets.extend(reported)


def _same_outage(context: Context, declared: dt.datetime) -> list[Ticket]:
    """The tickets alice and frank file about the same outage; erin accepts them."""
    erin = context.users["erin"]
    filed = []
    for report in REPORTS:
        moment = declared + report.after * MINUTE
        with _step(context, moment, f"{report.requester} reports the mail delay"):
            requester = context.users[report.requester]
            filed.append(
                ticket_services.submit_ticket(
                    actor=requester,
                    title=report.title,
                    description=report.description,
                    category="configuration-email",
                    impact="single",
                    urgency="abnormal",
                    channel=report.channel,
                    affected_system=report.affected_system,
                    scenario=report.scenario,
                )
            )
    for index, ticket in enumerate(filed):
        with _step(context, declared + (7 + index) * MINUTE, "erin accepts a mail ticket"):
            ticket_services.accept_ticket(ticket.pk, actor=erin)
    return filed


def _report(context: Context, declared: dt.datetime, slot: int) -> None:
    """The management report of the ``slot``-th 30 minutes, sent by the incident clocks'
    sweep at that moment (a minute late, as a beat would)."""
    moment = min(declared + slot * REPORT_EVERY + MINUTE, context.now)
    with context.stopped_at(moment):
        sweep_incidents(now=moment)


def _resolve_tickets(
    context: Context, source: Ticket, reported: list[Ticket], resolved: dt.datetime
) -> None:
    """The desk closes its part: tom resolves carol's ticket, erin the two linked reports."""
    tom, erin = context.users["tom"], context.users["erin"]
    with _step(context, resolved + 4 * MINUTE, "tom resolves the source ticket"):
        ticket_services.resolve_ticket(
            source.pk,
            actor=tom,
            solution="已回滚并调优网关扫描规则（重大事件已恢复并解决），积压邮件已全部投递。"
            "请确认客户来信已正常收到。"
            "\nThe gateway's scanning rules were rolled back and tuned (the major incident is "
            "over); the backlog was delivered. Please check that customer mail arrives.",
        )
    for index, ticket in enumerate(reported):
        moment = resolved + (6 + 2 * index) * MINUTE
        with _step(context, moment, "erin diagnoses a linked ticket"):
            ticket_services.diagnose_ticket(
                ticket.pk,
                actor=erin,
                root_cause_type="configuration",
                root_cause="全公司邮件延迟的一部分（重大事件）：网关扫描规则导致队列积压。"
                "\nPart of the company-wide mail delay (major incident): the gateway queue.",
                impact_scope="全公司外部来信\nExternal mail at every site",
                solution_plan="随重大事件一并处理。\nHandled with the major incident.",
            )
        with _step(context, moment + MINUTE, "erin resolves a linked ticket"):
            ticket_services.resolve_ticket(
                ticket.pk,
                actor=erin,
                solution="邮件网关已恢复，积压的外部邮件已全部投递，请确认客户的邮件已收到。"
                "\nThe mail gateway is back and the delayed mail was delivered: please check "
                "that your customer's email has arrived.",
            )
    for ticket in [source, *reported]:
        ticket.refresh_from_db()


def _review(context: Context, pk: int, written: dt.datetime) -> None:
    """tom's post-incident review and its actions, one of them done since."""
    users = context.users
    tom = users["tom"]
    with _step(context, written, "tom writes the review"):
        review.write_review(
            pk,
            actor=tom,
            root_cause="反垃圾邮件网关厂商推送的附件深度扫描规则未经测试就在生产网关自动启用；"
            "大附件扫描超时，队列积压，全公司外部来信延迟。"
            "\nThe anti-spam vendor's deep-scanning rules went live on the production gateway "
            "untested; large attachments timed out and the queue held back all external mail.",
            summary="宣布后 3 分钟组成专项小组，70 分钟恢复（回滚规则），"
            "3 小时解决（调优后重新启用）；期间向管理层发送了 2 次进展报告。"
            "\nTask force in 3 minutes, restored in 70 minutes (rollback), resolved in 3 hours "
            "(tuned rules back on); 2 management reports sent.",
        )
    today = timezone.localdate(min(written, context.now))
    actions = [
        (
            "网关规则更新先在测试网关验证，再灰度到生产 / "
            "Test gateway rule updates before production",
            "tom",
            14,
        ),
        (
            "网关队列超过 500 封时告警 / Alert when the gateway queue exceeds 500 messages",
            "bob",
            7,
        ),
        (
            "关闭厂商规则自动更新，改在每月变更窗口应用 / "
            "Apply vendor rules in the monthly change window",
            "erin",
            30,
        ),
    ]
    added = []
    for description, owner, days in actions:
        with _step(context, written + MINUTE, f"tom adds the action “{description}”"):
            added.append(
                review.add_action(
                    pk,
                    actor=tom,
                    description=description,
                    owner=users[owner],
                    due_on=today + dt.timedelta(days=days),
                )
            )
    with _step(context, written + 90 * MINUTE, "bob marks the queue alert done"):
        review.update_action(pk, added[1].pk, actor=users["bob"], changes={"done": True})


# --- the hooks demo/registry.py calls --------------------------------------------------------


def is_loaded() -> bool:
    return MajorIncident.objects.filter(title=TITLE).exists()


def summary(context: Context) -> list[str]:
    incidents = MajorIncident.objects.filter(title=TITLE)
    reports = IncidentReport.objects.filter(incident__in=incidents).count()
    reviewed = incidents.filter(status=IncidentStatus.REVIEWED).count()
    n = incidents.count()
    return [
        f"{n} major incident{'s' if n != 1 else ''} "
        f"({reports} report{'s' if reports != 1 else ''}, {reviewed} reviewed)"
    ]
