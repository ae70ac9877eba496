"""The tickets part of the demo data (``manage.py load_demo``): tickets in every state.

``demo/registry.py`` runs ``load`` after the accounts and assets parts, whose
people and devices the tickets name. Each ticket is a submission followed by the
steps that walk it through its life; every step is one call of a service in
``tickets.services`` by the named user, so the timeline, events and derived
fields are exactly what the real screens make. The services read the clock; the
demo context moves it back (``stopped_at``) so the history has realistic times,
and no timestamp is written by hand. The contents follow the support manual
(see docs: printer out of paper, OA account locked, blue screen, invoicing,
company-wide mail delay, ransomware …).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Count

from accounts.models import User
from assets.models import Asset
from tickets import services
from tickets.choices import STATE_STEPS, ClosedAs, TicketState
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket
from tickets.services import canned

# The tickets are spread over the last working days, one every DEMO_SPACING, so the
# queue, the SLA clocks and the breaches look like a real desk's: the last ticket was
# filed minutes ago. Each step of a ticket comes DEMO_STEP after the previous one.
DEMO_SPACING = dt.timedelta(minutes=50)
DEMO_STEP = dt.timedelta(minutes=7)

# What a service raises when the demo data and the rules disagree: named in the error.
SERVICE_ERRORS = (ActionForbidden, InvalidTransition, TicketNotFound, ValidationError)


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context and fills in (the tickets, in filing order)."""

    now: dt.datetime
    users: dict[str, User]
    assets: dict[str, Asset]
    tickets: list[Ticket]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]:
        """``timezone.now()`` returns ``moment`` (moved by ``shift``) inside the block."""
        ...


# --- tickets: a submission, then the steps of its life ------------------------------


@dataclass(frozen=True)
class Accept:
    by: str


@dataclass(frozen=True)
class Reply:
    """A public reply (a requester's reply to an info request answers it)."""

    by: str
    body: str


@dataclass(frozen=True)
class Note:
    """An internal note; requesters never see it."""

    by: str
    body: str


@dataclass(frozen=True)
class AskInfo:
    by: str
    question: str


@dataclass(frozen=True)
class Diagnose:
    by: str
    root_cause_type: str
    root_cause: str
    impact_scope: str
    solution_plan: str


@dataclass(frozen=True)
class Resolve:
    by: str
    solution: str


@dataclass(frozen=True)
class RejectFix:
    by: str
    reason: str


@dataclass(frozen=True)
class Verify:
    by: str
    note: str


@dataclass(frozen=True)
class Close:
    by: str


@dataclass(frozen=True)
class Cancel:
    by: str
    reason: str


Step = Accept | Reply | Note | AskInfo | Diagnose | Resolve | RejectFix | Verify | Close | Cancel


@dataclass(frozen=True)
class TicketSpec:
    requester: str
    title: str
    description: str
    category: str  # category slug (tickets/migrations/0002_default_categories.py)
    impact: str  # single / multiple / network
    urgency: str  # interrupted / abnormal / experience
    channel: str = "web"
    logged_by: str | None = None  # an engineer filing for the requester (phone, email …)
    affected_system: str = ""
    scenario: str = ""
    contact: str = ""
    asset: str | None = None  # asset tag
    steps: tuple[Step, ...] = field(default_factory=tuple)


TICKETS = [
    # Closed: the manual's printer example, start to finish.
    TicketSpec(
        requester="alice",
        title="打印机提示“缺纸”但纸仓已满",
        description=(
            "财务部3楼的打印机一直提示“纸盒1缺纸”，但纸仓是满的，重新放纸也没用。"
            "其他同事也打印不了，月底报表急着要打。"
        ),
        category="hardware-printer",
        impact="multiple",
        urgency="abnormal",
        affected_system="HP LaserJet Pro M404dn，固件 002.2135",
        scenario="打印PDF文件时触发",
        asset="SH-PRN-0001",
        steps=(
            Accept("bob"),
            Reply("bob", "您好，已受理，我10分钟后到3楼现场查看。"),
            Note(
                "bob",
                "现场：纸张到位传感器挡片卡在下方，进纸辊磨损明显。维保记录显示该机3月也报过卡纸。",
            ),
            Diagnose(
                "bob",
                root_cause_type="hardware",
                root_cause="纸张到位传感器挡片被纸屑卡住，进纸辊老化打滑，打印机误判为缺纸。",
                impact_scope="财务部3楼共用打印机，约12人",
                solution_plan="清理传感器挡片，更换进纸辊（备件库有货），约20分钟，不影响其他打印机。",
            ),
            Resolve(
                "bob", "已清理纸张传感器并更换进纸辊，打印测试页10张正常。旧进纸辊已放入回收箱。"
            ),
            Verify("alice", "打印成功，速度恢复正常，谢谢！"),
            Close("bob"),
        ),
    ),
    # Resolved, awaiting the requester's verification; asked for details first.
    TicketSpec(
        requester="alice",
        title="OA系统登录报错“账号锁定”",
        description="登录OA系统时提示“账号已锁定，请联系管理员”，密码重置后仍失败。",
        category="permission-account",
        impact="single",
        urgency="interrupted",
        channel="im",
        affected_system="OA协同办公系统 V8.1（Chrome 浏览器）",
        scenario="早上上班登录OA审批报销单",
        contact="企业微信 王丽",
        steps=(
            Accept("erin"),
            AskInfo("erin", "请问您的手机或平板上是否配置了公司邮箱？最近一次修改密码是什么时候？"),
            Reply("alice", "手机上的邮件App配置了公司邮箱，上周五改过一次密码。"),
            Note(
                "erin", "域控安全日志 4740：锁定来源为 alice 的手机（ActiveSync），旧密码反复重试。"
            ),
            Diagnose(
                "erin",
                root_cause_type="permission",
                root_cause="手机邮件客户端仍保存旧密码，自动同步反复认证失败，触发域账号锁定策略。",
                impact_scope="仅王丽本人账号",
                solution_plan="解锁域账号，指导用户在手机邮件App中更新密码后再登录OA。",
            ),
            Resolve(
                "erin",
                "已解锁域账号，并远程指导在手机上更新邮箱密码。请您重新登录OA并发起一次审批，确认是否正常。",
            ),
        ),
    ),
    # Accepted and waiting on the requester: a phone call logged by the engineer.
    TicketSpec(
        requester="carol",
        logged_by="bob",
        title="电脑蓝屏，重启后仍反复出现",
        description="来电反映：电脑开机半小时左右就蓝屏重启，今天已经出现三次，无法正常办公。",
        category="hardware-pc",
        impact="single",
        urgency="interrupted",
        channel="phone",
        affected_system="Dell OptiPlex 7090，Windows 10 22H2",
        scenario="打开CRM和Excel处理客户报价时",
        contact="手机 139 1010 2002",
        asset="BJ-PC-0031",
        steps=(
            Accept("bob"),
            AskInfo(
                "bob",
                "请提供蓝屏代码或错误日志：蓝屏界面上“终止代码”后面的文字（如 MEMORY_MANAGEMENT），"
                "或者拍一张蓝屏照片发给我们。",
            ),
            Note("bob", "北京驻场赵敏今天下午有空，必要时安排现场检测内存。"),
        ),
    ),
    # Rejected once, resolved again, then verified (reopen count 1).
    TicketSpec(
        requester="alice",
        title="财务系统无法开票",
        description="在财务系统开具增值税专用发票时，点击“开具”后提示“税控设备连接失败”，客户今天急需发票。",
        category="software-business",
        impact="single",
        urgency="interrupted",
        affected_system="用友U8 财务系统 V13.0，税控盘驱动 3.2",
        scenario="开具增值税专用发票",
        asset="SH-LT-0012",
        steps=(
            Accept("erin"),
            Note(
                "erin",
                "应用服务器日志：税控接口插件昨晚自动更新到 3.3，与U8 V13.0 的组件版本不兼容。",
            ),
            Diagnose(
                "erin",
                root_cause_type="software",
                root_cause="税控接口插件更新后导致系统兼容性故障。",
                impact_scope="仅王丽的开票电脑",
                solution_plan="回滚税控插件到 3.2 并关闭自动更新，预计15分钟。",
            ),
            Resolve("erin", "已将税控插件回滚到 3.2 并关闭自动更新，测试开票成功。"),
            RejectFix("alice", "专用发票可以开了，但开普通发票时还是提示“税控设备连接失败”。"),
            Note("erin", "普票走另一个组件（发票打印服务），也被一起更新了，需要一并回滚。"),
            Resolve(
                "erin",
                "已回滚发票打印服务组件并重启服务，专票、普票各测试开具一张均正常，已作废测试票。",
            ),
            Verify("alice", "专票和普票都能正常开具了。"),
        ),
    ),
    # Diagnosed: a company-wide problem reported by email.
    TicketSpec(
        requester="carol",
        title="全公司邮件延迟，外部邮件半小时后才收到",
        description="客户发来的邮件要过30分钟以上才收到，北京和上海的同事都反映同样问题。",
        category="configuration-email",
        impact="network",
        urgency="abnormal",
        channel="email",
        affected_system="Exchange Server 2019 + 反垃圾邮件网关",
        scenario="接收外部客户邮件",
        steps=(
            Accept("tom"),
            Note("tom", "网关队列积压约 4,000 封，扫描平均耗时从 2 秒升到 40 秒。已联系网关厂商。"),
            Reply("tom", "我们已确认是邮件网关处理变慢，正在处理，每小时同步一次进展。"),
            Diagnose(
                "tom",
                root_cause_type="configuration",
                root_cause="反垃圾邮件网关昨晚更新了附件深度扫描规则，大附件扫描超时导致队列积压。",
                impact_scope="全公司邮件系统延迟（所有站点的外部来信）",
                solution_plan="先回滚扫描规则恢复收信，再与厂商确认新规则的调优参数；需在18:00后操作，预计1小时内完成。",
            ),
        ),
    ),
    # Verified by the tech lead on the requester's behalf: a security event, always high.
    TicketSpec(
        requester="alice",
        title="勒索病毒预警：共享盘文件被改成 .locked 后缀",
        description=(
            "杀毒软件弹出勒索病毒预警，财务共享盘里有几个文件夹的文件后缀变成了 .locked，打不开。"
        ),
        category="security-malware",
        impact="multiple",
        urgency="interrupted",
        channel="im",
        affected_system="文件服务器 FS01 \\\\fs01\\finance",
        scenario="打开共享盘里的月度报表",
        asset="SH-SRV-0002",
        steps=(
            Accept("tom"),
            Note("tom", "已断开 alice 笔记本网络并隔离，FS01 共享已设为只读，通知安全组。"),
            Reply("tom", "请不要重启电脑、不要再打开共享盘文件，我们马上到您工位。"),
            Diagnose(
                "tom",
                root_cause_type="security",
                root_cause="钓鱼邮件附件中的宏下载了勒索程序，在被EDR拦截前加密了部分共享文件。",
                impact_scope="财务共享盘 3 个文件夹，约 240 个文件；仅一台终端被感染",
                solution_plan="重装受感染终端；从昨晚快照恢复被加密文件；全员推送钓鱼邮件提醒。",
            ),
            Resolve(
                "tom", "终端已重装并恢复数据，共享盘文件已从昨晚 23:00 的快照恢复，全盘扫描无残留。"
            ),
            Verify("tom", "电话与王丽确认：文件均可正常打开，电脑已恢复使用。"),
        ),
    ),
    # Submitted, low priority.
    TicketSpec(
        requester="alice",
        title="桌面壁纸设置",
        description="想把桌面壁纸换成自己的照片，但个性化设置里是灰色的，提示“某些设置由你的组织管理”。",
        category="configuration-device",
        impact="single",
        urgency="experience",
        affected_system="ThinkPad X1 Carbon，Windows 11 23H2",
        asset="SH-LT-0012",
    ),
    # Accepted: a conversation in progress.
    TicketSpec(
        requester="carol",
        title="VPN 连接失败，提示错误 809",
        description=(
            "在客户现场用酒店Wi-Fi连公司VPN，一直提示“错误 809：无法建立网络连接”，手机热点也一样。"
        ),
        category="network-vpn",
        impact="single",
        urgency="interrupted",
        affected_system="深信服 EasyConnect 7.6.7",
        scenario="出差期间访问CRM",
        contact="手机 139 1010 2002",
        steps=(
            Accept("erin"),
            Reply(
                "erin",
                (
                    "您好，请先在 EasyConnect 设置里把连接方式从 "
                    "L2TP 改成 SSL，再试一次，看提示是否变化。"
                ),
            ),
            Reply("carol", "改了以后不报 809 了，但是一直卡在“正在连接”。"),
            Note("erin", "VPN网关日志无该账号的认证记录，怀疑客户端证书过期，需远程查看。"),
        ),
    ),
    # Diagnosed: several users at one site.
    TicketSpec(
        requester="carol",
        title="销售部会议室 Wi-Fi 频繁掉线",
        description=(
            "北京分公司大会议室开会时 Wi-Fi 每隔十几分钟掉线一次，视频会议经常中断，大家都受影响。"
        ),
        category="network-wifi",
        impact="multiple",
        urgency="abnormal",
        affected_system="Corp-WiFi，华为 AirEngine 5761-11",
        scenario="在大会议室开视频会议",
        asset="BJ-AP-0003",
        steps=(
            Accept("erin"),
            Diagnose(
                "erin",
                root_cause_type="network",
                root_cause=(
                    "会议室AP与隔壁楼层AP使用同一 5GHz 信道，人多时干扰严重导致终端频繁重连。"
                ),
                impact_scope="北京分公司大会议室，约20人",
                solution_plan="调整AP信道与发射功率，开启频谱导航；需下班后操作，约30分钟。",
            ),
            Reply(
                "erin", "已定位原因，计划今晚18:30后调整无线配置，届时会议室Wi-Fi会中断约30分钟。"
            ),
        ),
    ),
    # Closed as cancelled by the requester.
    TicketSpec(
        requester="alice",
        title="Excel 打开大文件很慢",
        description="打开 50MB 左右的报表要两三分钟，期间 Excel 显示“未响应”。",
        category="software-office",
        impact="single",
        urgency="abnormal",
        affected_system="Microsoft 365 Excel 版本 2408",
        asset="SH-LT-0012",
        steps=(Cancel("alice", "电脑重启并安装更新后已恢复正常，撤销申请。"),),
    ),
    # Closed as cancelled by an engineer: a duplicate report.
    TicketSpec(
        requester="carol",
        title="会议室连不上无线网",
        description="大会议室的 Wi-Fi 连上一会儿就断。",
        category="network-wifi",
        impact="single",
        urgency="abnormal",
        channel="im",
        steps=(
            Accept("erin"),
            Cancel(
                "erin", "重复申报：与“销售部会议室 Wi-Fi 频繁掉线”为同一问题，已在该工单中跟进。"
            ),
        ),
    ),
    # Accepted: raised by the monitoring integration, worked by the tech lead.
    TicketSpec(
        requester="bob",
        title="文件服务器 FS01 RAID 告警：物理磁盘预测性故障",
        description=(
            "iDRAC 告警：PERC H730P 报告 Physical "
            "Disk 0:1:3 预测性故障（SMART），阵列仍为 Optimal。"
        ),
        category="hardware-server",
        impact="multiple",
        urgency="abnormal",
        channel="api",
        affected_system="Dell PowerEdge R740，PERC H730P，iDRAC9 6.10",
        asset="SH-SRV-0002",
        steps=(
            Accept("tom"),
            Note(
                "tom",
                (
                    "已向戴尔提交备件工单（服务编号 SR1234567890），"
                    "附 TSR 日志；预计明天上午到货。该服务器曾因内存故障报修。"
                ),
            ),
        ),
    ),
    # Closed: an access request.
    TicketSpec(
        requester="alice",
        title="申请财务共享盘 2024 年度目录的访问权限",
        description=(
            "新接手应收账款工作，需要读写 \\\\fs01\\finance\\2024\\应收 目录，部门经理已同意。"
        ),
        category="permission-access",
        impact="single",
        urgency="abnormal",
        steps=(
            Accept("bob"),
            Diagnose(
                "bob",
                root_cause_type="permission",
                root_cause="新岗位未加入对应的共享盘权限组。",
                impact_scope="仅王丽本人",
                solution_plan="经部门经理邮件确认后，将账号加入 FIN-AR-RW 组。",
            ),
            Resolve("bob", "已加入 FIN-AR-RW 组，请注销后重新登录电脑使权限生效。"),
            Verify("alice", "可以正常读写了。"),
            Close("bob"),
        ),
    ),
    # Closed: a whole floor offline, logged by phone.
    TicketSpec(
        requester="carol",
        logged_by="erin",
        title="北京分公司3楼有线网络全部中断",
        description="来电反映：3楼销售部所有电脑和IP电话同时断网，网络图标显示“无Internet”。",
        category="network-wired",
        impact="network",
        urgency="interrupted",
        channel="phone",
        affected_system="H3C S5130S-28S-EI 接入交换机",
        scenario="上午9:40左右突然断开",
        contact="座机 010-8566 3100",
        asset="BJ-SW-0001",
        steps=(
            Accept("erin"),
            Reply("erin", "已收到，正在赶往3楼弱电间，预计10分钟内到。"),
            Note(
                "erin", "交换机端口指示灯全部快闪，广播风暴；会议室新接的小交换机两个口被网线环接。"
            ),
            Diagnose(
                "erin",
                root_cause_type="network",
                root_cause="会议室私接的小交换机形成环路，接入交换机未启用STP与环路检测，引发广播风暴。",
                impact_scope="仅北京分公司3楼内网中断（约35个终端）",
                solution_plan=(
                    "先拔除环路网线恢复业务，再在接入交换机上启用 STP 与 loopback-detection。"
                ),
            ),
            Resolve(
                "erin", "已拔除环路并在接入交换机启用 STP 和环路检测，3楼网络恢复，IP电话测试正常。"
            ),
            Verify("carol", "网络已恢复，电话也能打了。"),
            Close("erin"),
        ),
    ),
    # Submitted: waiting in the queue.
    TicketSpec(
        requester="alice",
        title="Windows 更新后外接显示器不亮",
        description="昨天Windows自动更新后，扩展坞接的外接显示器黑屏，设备管理器里显卡显示黄色感叹号。",
        category="software-os",
        impact="single",
        urgency="abnormal",
        affected_system="ThinkPad X1 Carbon Gen 11，Windows 11 23H2，Intel Iris Xe",
        scenario="Windows 自动安装10月累计更新之后",
        asset="SH-LT-0012",
    ),
    # English-speaking requester in Shenzhen.
    TicketSpec(
        requester="frank",
        title="Outlook keeps asking for my password",
        description=(
            "Since this morning Outlook pops up a password prompt every few minutes. "
            "Entering the password works for a while, then it asks again."
        ),
        category="configuration-email",
        impact="single",
        urgency="abnormal",
        affected_system="Outlook for Microsoft 365, version 2408",
        asset="SZ-LT-0007",
        steps=(
            Accept("erin"),
            Reply(
                "erin",
                "Hi Frank, could you open Credential Manager and remove the entries starting "
                "with MicrosoftOffice16, then restart Outlook?",
            ),
            Reply("frank", "Done, it has been quiet for an hour now. I'll keep an eye on it."),
        ),
    ),
    TicketSpec(
        requester="frank",
        title="Access to the GitLab group 'firmware'",
        description=(
            "I joined the firmware team this week and need "
            "developer access to the GitLab group 'firmware'."
        ),
        category="permission-access",
        impact="single",
        urgency="experience",
        affected_system="GitLab 16.11 (git.example.com)",
    ),
    TicketSpec(
        requester="frank",
        title="External monitors flicker on the docking station",
        description=(
            "Both external monitors on the Dell WD19 dock "
            "flicker every few seconds; the laptop screen is fine."
        ),
        category="hardware-pc",
        impact="single",
        urgency="experience",
        affected_system="Dell Latitude 7440, WD19TBS dock, Windows 11 23H2",
        scenario="Working at my desk with two monitors",
        asset="SZ-LT-0007",
        steps=(
            Accept("bob"),
            Diagnose(
                "bob",
                root_cause_type="hardware",
                root_cause="Dock firmware 01.00.14 has a known DisplayPort MST flicker issue.",
                impact_scope="Frank's desk only",
                solution_plan=(
                    "Update the dock firmware to 01.00.32 remotely "
                    "(with Frank's consent), about 10 minutes."
                ),
            ),
            Resolve("bob", "Updated the dock firmware to 01.00.32 and reseated the DP cables."),
            Verify("frank", "No more flicker since the update, thanks!"),
        ),
    ),
    TicketSpec(
        requester="frank",
        title="Suspicious email asking me to reset my Office 365 password",
        description=(
            "Got an email from 'IT Support <it-helpdesk@micros0ft-365.com>' asking me to reset my "
            "password via a link. I did not click it."
        ),
        category="security-phishing",
        impact="single",
        urgency="abnormal",
        channel="email",
        steps=(
            Accept("tom"),
            Diagnose(
                "tom",
                root_cause_type="security",
                root_cause=(
                    "Phishing campaign from a look-alike domain;"
                    " 23 mailboxes received it, nobody clicked."
                ),
                impact_scope="23 mailboxes across all sites",
                solution_plan=(
                    "Block the sender domain on the gateway, purge the message from all mailboxes."
                ),
            ),
            Resolve(
                "tom",
                (
                    "Blocked the domain and purged the message "
                    "from all 23 mailboxes. Thanks for reporting it!"
                ),
            ),
            Verify("frank", "Thanks, it is gone from my inbox."),
            Close("tom"),
        ),
    ),
]


# --- the hooks demo/registry.py calls ---------------------------------------------


# Canned replies: (author, shared, title, text); placeholders are filled when inserted.
CANNED_REPLIES = [
    (
        "tom",
        True,
        "已受理，正在处理",
        "{requester_name}您好，工单 {ticket_number}（{ticket_title}）"
        "已由 {engineer_name} 受理，有进展会第一时间告诉您。",
    ),
    (
        "tom",
        True,
        "请确认是否已解决",
        "{requester_name}您好，工单 {ticket_number} 的问题已处理，"
        "请确认是否恢复正常；如仍有问题，请驳回并说明现象。谢谢！",
    ),
    (
        "bob",
        False,
        "打印机重启步骤",
        "{requester_name}您好，请关闭打印机电源，等待 30 秒后重新开机，"
        "自检完成后打印一张测试页。如仍不行请回复本工单。——{engineer_name}",
    ),
]


def load(context: Context) -> None:
    count = len(TICKETS)
    for index, spec in enumerate(TICKETS):
        filed_at = context.now - DEMO_SPACING * (count - index)
        context.tickets.append(_ticket(spec, context, filed_at=filed_at))
    for author, shared, title, body in CANNED_REPLIES:
        canned.create_canned_reply(
            actor=context.users[author], title=title, body=body, shared=shared
        )


def summary(context: Context) -> list[str]:
    return [f"{len(context.tickets)} tickets"]


def report(context: Context) -> list[str]:
    """How many demo tickets are in each state, in lifecycle order."""
    rows = list(
        Ticket.objects.filter(pk__in=[t.pk for t in context.tickets])
        .values("state", "closed_as")
        .annotate(n=Count("pk"))
        .order_by()
    )
    order: dict[str, int] = {state: index for index, state in enumerate(STATE_STEPS)}
    rows.sort(key=lambda r: (order[r["state"]], r["closed_as"]))
    lines = ["Tickets by state:"]
    for row in rows:
        label = str(TicketState(row["state"]).label)
        if row["closed_as"]:
            label = f"{label} ({ClosedAs(row['closed_as']).label})"
        lines.append(f"  {label:<24} {row['n']}")
    return lines


# --- loading ------------------------------------------------------------------------


def _ticket(spec: TicketSpec, context: Context, *, filed_at: dt.datetime) -> Ticket:
    """File and move one ticket, each step a few minutes after the previous one."""
    users = context.users
    with context.stopped_at(filed_at) as clock:
        requester = users[spec.requester]
        try:
            ticket = services.submit_ticket(
                actor=users[spec.logged_by] if spec.logged_by else requester,
                requester=requester,
                title=spec.title,
                description=spec.description,
                category=spec.category,
                impact=spec.impact,
                urgency=spec.urgency,
                channel=spec.channel,
                affected_system=spec.affected_system,
                scenario=spec.scenario,
                contact=spec.contact,
                asset=context.assets[spec.asset] if spec.asset else None,
            )
        except SERVICE_ERRORS as exc:
            raise CommandError(f"Demo ticket “{spec.title}”: submit failed: {exc!r}") from exc
        for step in spec.steps:
            clock.shift(DEMO_STEP)
            try:
                _step(ticket.pk, step, users)
            except SERVICE_ERRORS as exc:
                raise CommandError(
                    f"Demo ticket “{spec.title}”: {type(step).__name__} by {step.by} "
                    f"failed: {exc!r}"
                ) from exc
        ticket.refresh_from_db()
        return ticket


def _step(pk: int, step: Step, users: dict[str, User]) -> None:
    """One step of a ticket's life: one service call by the named user."""
    actor = users[step.by]
    match step:
        case Accept():
            services.accept_ticket(pk, actor=actor)
        case Reply(body=body):
            services.add_message(pk, actor=actor, body=body, internal=False)
        case Note(body=body):
            services.add_message(pk, actor=actor, body=body, internal=True)
        case AskInfo(question=question):
            services.request_info(pk, actor=actor, question=question)
        case Diagnose():
            services.diagnose_ticket(
                pk,
                actor=actor,
                root_cause_type=step.root_cause_type,
                root_cause=step.root_cause,
                impact_scope=step.impact_scope,
                solution_plan=step.solution_plan,
            )
        case Resolve(solution=solution):
            services.resolve_ticket(pk, actor=actor, solution=solution)
        case RejectFix(reason=reason):
            services.reject_fix(pk, actor=actor, reason=reason)
        case Verify(note=note):
            services.verify_ticket(pk, actor=actor, verification_note=note)
        case Close():
            services.close_ticket(pk, actor=actor)
        case Cancel(reason=reason):
            services.cancel_ticket(pk, actor=actor, reason=reason)
        case _:
            raise CommandError(f"Unknown demo step: {step!r}")
