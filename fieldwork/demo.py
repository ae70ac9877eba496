"""The fieldwork part of the demo data (``manage.py load_demo``): what the engineers do between
accepting and resolving — remote consent, the work log, the plan and its window, on-site
visits, functional checks, and the maintenance record a resolved visit leaves on a device.

Runs after the tickets part (``INSTALLED_APPS`` order) and goes on with its tickets where
their state allows; a story the tickets part could not leave room for is a ticket of this
part's own. Every step is a service call (``fieldwork.services``, ``tickets.services`` for
the ticket's own steps) by the named person under the demo clock, so the timeline, the
notifications and the validations (a remote entry needs a grant valid at its time) are
what the real screens make:

* alice's “Windows 更新后外接显示器不亮”, handled by bob: a first grant (expired now) covering
  a remote look and a driver reset shown to alice as progress, an internal entry, the
  diagnosis, a rollback plan whose window alice confirmed — and, in that window, a second
  grant still valid at the demo's now with the rollback under way ("正在回滚显卡驱动…");
* carol's blue-screen ticket, bob's: an on-site visit with the parts to bring, confirmed;
* a ticket of this part, alice's: the finance system cannot sign payments with its USB key;
  bob's visit replaces the dock (parts used), the business system's default functional
  checks are recorded, and resolving it writes the laptop's maintenance record.

Requesters write in their own language, as in the tickets part; what the desk writes is in
Chinese, then English on a second line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from assets.models import Asset, MaintenanceRecord
from fieldwork.choices import CheckResult, PlanApproach, WorkMode
from fieldwork.models import FunctionalCheck, RemoteConsent, SiteVisit, WorkLog, WorkPlan
from fieldwork.services import checks, consents, plans, visits, worklogs
from tickets import services as ticket_services
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket

MINUTE = dt.timedelta(minutes=1)
SERVICE_ERRORS = (ActionForbidden, InvalidTransition, TicketNotFound, ValidationError)

# The tickets part's tickets this part goes on with (by title).
REMOTE_TICKET = "Windows 更新后外接显示器不亮"
VISIT_TICKET = "电脑蓝屏，重启后仍反复出现"
# This part's own ticket: filed this long before the demo's now.
USB_KEY_TITLE = "财务系统付款审批签名失败，提示“未检测到U盾”"
USB_KEY_FILED_BEFORE = dt.timedelta(minutes=210)
TOOL = "TeamViewer（企业授权版）"
# The visit to carol's desk: at this local hour, the first day it is at least this far ahead.
VISIT_HOUR = 14
VISIT_AHEAD = dt.timedelta(hours=2)


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context (people, devices, the tickets made before)
    and fills in (its own ticket, appended to ``tickets``)."""

    now: dt.datetime
    users: dict[str, User]
    assets: dict[str, Asset]
    tickets: list[Ticket]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]: ...


@contextmanager
def _step(context: Context, moment: dt.datetime, what: str) -> Iterator[None]:
    """One service call at ``moment`` (never after the demo's now), its failure named."""
    with context.stopped_at(min(moment, context.now)):
        try:
            yield
        except SERVICE_ERRORS as exc:
            raise CommandError(f"Demo field work: {what} failed: {exc!r}") from exc


def _ticket(context: Context, title: str) -> Ticket:
    found = next((t for t in context.tickets if t.title == title), None)
    if found is None:
        raise CommandError(f"Demo field work: the demo ticket “{title}” is missing.")
    found.refresh_from_db()
    return found


def load(context: Context) -> None:
    _remote_session(context, _ticket(context, REMOTE_TICKET))
    _visit_planned(context, _ticket(context, VISIT_TICKET))
    context.tickets.append(_usb_key_fixed(context))


# --- alice's screens: remote consent, the work log, the plan and its window ------------------


def _remote_session(context: Context, ticket: Ticket) -> None:
    bob, alice = context.users["bob"], context.users["alice"]
    filed, pk = ticket.submitted_at, ticket.pk
    with _step(context, filed + 12 * MINUTE, "bob accepts the display ticket"):
        ticket_services.accept_ticket(pk, actor=bob)
    with _step(context, filed + 15 * MINUTE, "bob asks for remote access"):
        first = consents.request_consent(
            pk,
            actor=bob,
            tool=TOOL,
            purpose="查看显卡驱动和设备管理器中的报错，必要时重置显卡驱动。"
            "\nCheck the graphics driver and Device Manager errors; reset the driver if needed.",
            duration_minutes=30,
        )
    with _step(context, filed + 18 * MINUTE, "alice grants remote access"):
        consents.grant_consent(pk, first.pk, actor=alice)
    with _step(context, filed + 22 * MINUTE, "bob logs the remote look"):
        worklogs.log_work(
            pk,
            actor=bob,
            mode=WorkMode.REMOTE,
            minutes=10,
            body="远程查看：设备管理器中 Intel Iris Xe 显示错误代码 43，驱动 31.0.101.5186 "
            "是昨晚的累计更新推送的；扩展坞固件正常。"
            "\nRemote look: Intel Iris Xe shows error code 43; driver 31.0.101.5186 came "
            "with last night's cumulative update; the dock firmware is fine.",
        )
    with _step(context, filed + 30 * MINUTE, "bob shows the driver reset as progress"):
        worklogs.log_work(
            pk,
            actor=bob,
            mode=WorkMode.REMOTE,
            minutes=2,
            is_public=True,
            body="正在重置显卡驱动（先停用再启用），屏幕会黑约 30 秒，请勿操作电脑。"
            "\nResetting the graphics driver (disable, then enable): the screen goes dark "
            "for about 30 s, please don't touch the laptop.",
        )
    with _step(context, filed + 36 * MINUTE, "bob logs what he found out"):
        worklogs.log_work(
            pk,
            actor=bob,
            mode=WorkMode.OTHER,
            minutes=15,
            body="重置无效。微软已确认 10 月累计更新与部分 Iris Xe 驱动不兼容（Windows 更新导致"
            "驱动失效），需回滚到 31.0.101.4255。"
            "\nThe reset did not help. Microsoft lists the October update as incompatible with "
            "some Iris Xe drivers: roll back to 31.0.101.4255.",
        )
    with _step(context, filed + 40 * MINUTE, "bob diagnoses the display ticket"):
        ticket_services.diagnose_ticket(
            pk,
            actor=bob,
            root_cause_type="software",
            root_cause="Windows 累计更新推送的 Intel 显卡驱动与扩展坞的显示输出不兼容。"
            "\nThe Intel graphics driver pushed by the Windows update breaks the dock's outputs.",
            impact_scope="仅王丽的笔记本（SH-LT-0012）\nAlice's laptop only (SH-LT-0012)",
            solution_plan="远程回滚显卡驱动并暂停该驱动的自动更新，需重启一次，约 20 分钟。"
            "\nRoll the driver back remotely and pause its automatic update; one restart, "
            "about 20 minutes.",
        )
    window_start = _floor_to_five(context.now - 15 * MINUTE)
    with _step(context, filed + 45 * MINUTE, "bob records the plan"):
        plans.record_plan(
            pk,
            actor=bob,
            approach=PlanApproach.ROLLBACK,
            risk="回滚和重启期间笔记本和外接显示器会黑屏约 1 分钟，请提前保存文件；"
            "回滚失败时改为重装驱动（约 40 分钟）。"
            "\nThe screens go dark for about a minute during the rollback and restart: save "
            "your files first. If the rollback fails, the driver is reinstalled (about 40 min).",
            log_references="设备管理器：Intel Iris Xe Graphics，错误代码 43"
            "\n事件查看器 › 系统：Display 事件 4101，更新后反复出现"
            "\nWindows 更新历史：10 月累计更新，昨晚自动安装"
            "\nDevice Manager: error 43; Event Viewer › System: Display event 4101 after the "
            "update; Windows Update history: October cumulative update, installed last night",
            fault_triggered_at=filed - dt.timedelta(hours=13),
            related_operation="Windows 自动安装 10 月累计更新（含 Intel 显卡驱动 31.0.101.5186）"
            "\nWindows installed the October cumulative update (Intel driver 31.0.101.5186)",
            window_start=window_start,
            window_end=window_start + 60 * MINUTE,
        )
    with _step(context, filed + 60 * MINUTE, "alice confirms the operation window"):
        plans.confirm_window(pk, actor=alice)
    with _step(context, window_start + 2 * MINUTE, "bob asks for remote access again"):
        second = consents.request_consent(
            pk,
            actor=bob,
            tool=TOOL,
            purpose="按已确认的方案回滚显卡驱动并重启一次。"
            "\nRoll the graphics driver back and restart once, as planned.",
            duration_minutes=60,
        )
    with _step(context, window_start + 4 * MINUTE, "alice grants remote access again"):
        consents.grant_consent(pk, second.pk, actor=alice)
    with _step(context, window_start + 6 * MINUTE, "bob shows the rollback as progress"):
        worklogs.log_work(
            pk,
            actor=bob,
            mode=WorkMode.REMOTE,
            minutes=3,
            is_public=True,
            body="正在回滚显卡驱动，屏幕会黑约 30 秒，之后电脑会重启一次，请勿拔下扩展坞。"
            "\nRolling back the graphics driver: the screens go dark for about 30 s, then the "
            "laptop restarts once. Please leave the dock plugged in.",
        )


def _floor_to_five(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


# --- carol's blue screen: an on-site visit with the parts to bring ---------------------------


def _visit_planned(context: Context, ticket: Ticket) -> None:
    bob, carol = context.users["bob"], context.users["carol"]
    filed, pk = ticket.submitted_at, ticket.pk
    with _step(context, filed + 30 * MINUTE, "bob schedules the memory check"):
        visit = visits.schedule_visit(
            pk,
            actor=bob,
            scheduled_at=_next_visit_time(context.now),
            bring="DDR4-3200 8GB 内存条 ×2（备件库）、MemTest86 启动U盘、防静电手环"
            "\n2 × 8 GB DDR4-3200 memory (spares), MemTest86 USB stick, anti-static strap",
        )
    with _step(context, filed + 45 * MINUTE, "carol confirms the visit"):
        visits.confirm_visit(pk, visit.pk, actor=carol)


def _next_visit_time(now: dt.datetime) -> dt.datetime:
    """``VISIT_HOUR`` o'clock in the desk's zone, on the first day that is far enough ahead."""
    local = timezone.localtime(now + VISIT_AHEAD)
    moment = local.replace(hour=VISIT_HOUR, minute=0, second=0, microsecond=0)
    return moment if moment >= local else moment + dt.timedelta(days=1)


# --- this part's ticket: a visit with parts, the checks, the maintenance record --------------


def _usb_key_fixed(context: Context) -> Ticket:
    bob, alice = context.users["bob"], context.users["alice"]
    filed = context.now - USB_KEY_FILED_BEFORE
    with _step(context, filed, "alice files the USB-key ticket"):
        ticket = ticket_services.submit_ticket(
            actor=alice,
            title=USB_KEY_TITLE,
            description="在用友U8里审批供应商付款单，点“签名”时提示“未检测到U盾”。U盾插在扩展坞上，"
            "指示灯不亮，换了一个USB口也一样。今天下午还有12笔付款要审批。",
            category="software-business",
            impact="single",
            urgency="interrupted",
            affected_system="用友U8 财务系统 V13.0（网上银行模块），工行U盾",
            scenario="审批供应商付款单并用U盾签名",
            asset=context.assets["SH-LT-0012"],
        )
    pk = ticket.pk
    with _step(context, filed + 6 * MINUTE, "bob accepts the USB-key ticket"):
        ticket_services.accept_ticket(pk, actor=bob)
    visit_at = _floor_to_five(filed + 35 * MINUTE)
    with _step(context, filed + 9 * MINUTE, "bob schedules the desk visit"):
        visit = visits.schedule_visit(
            pk,
            actor=bob,
            scheduled_at=visit_at,
            bring="备用 USB-C 扩展坞（联想 40AY）、USB 延长线、U盾驱动安装包"
            "\nSpare USB-C dock (Lenovo 40AY), USB extension cable, USB-key driver installer",
        )
    with _step(context, filed + 12 * MINUTE, "alice confirms the desk visit"):
        visits.confirm_visit(pk, visit.pk, actor=alice)
    with _step(context, visit_at + 25 * MINUTE, "bob logs the desk visit"):
        worklogs.log_work(
            pk,
            actor=bob,
            mode=WorkMode.ONSITE,
            minutes=25,
            is_public=True,
            performed_at=visit_at,
            body="到工位检查：U盾直接插在笔记本上可以识别，插在扩展坞上不行；已更换扩展坞并重装U盾驱动。"
            "\nAt the desk: the USB key works in the laptop's own port, not in the dock; "
            "replaced the dock and reinstalled the key's driver.",
        )
    with _step(context, visit_at + 27 * MINUTE, "bob diagnoses the USB-key ticket"):
        ticket_services.diagnose_ticket(
            pk,
            actor=bob,
            root_cause_type="hardware",
            root_cause="扩展坞的 USB-A 口内部弹片变形，U盾接触不良，财务系统检测不到。"
            "\nA bent contact in the dock's USB-A port: the finance system could not see the key.",
            impact_scope="仅王丽的付款审批（SH-LT-0012）\nAlice's payment approvals only",
            solution_plan="更换扩展坞，重装U盾驱动，按业务系统检查项测试后再解决。"
            "\nReplace the dock, reinstall the key's driver, run the business-system checks.",
        )
    with _step(context, visit_at + 30 * MINUTE, "bob records the desk visit"):
        visits.complete_visit(
            pk,
            visit.pk,
            actor=bob,
            indicator_lights="U盾插在扩展坞上指示灯不亮，直接插在笔记本上常亮"
            "\nKey light off in the dock, steady in the laptop's port",
            physical_damage="扩展坞左侧 USB-A 口内部弹片变形"
            "\nBent contact in the dock's left USB-A port",
            work_done="更换扩展坞，重装U盾驱动，U盾签名测试通过。"
            "\nReplaced the dock, reinstalled the key's driver; a test signature went through.",
            parts_used="联想 USB-C 扩展坞 40AY0090CN ×1",
            site_cleaned=True,
        )
    _checks(context, pk, bob, visit_at + 32 * MINUTE)
    with _step(context, visit_at + 45 * MINUTE, "bob resolves the USB-key ticket"):
        ticket_services.resolve_ticket(
            pk,
            actor=bob,
            solution="已更换损坏的扩展坞并重装U盾驱动，测试账号登录、付款审批和U盾签名均正常。"
            "\nReplaced the faulty dock and reinstalled the key's driver; test log-in, payment "
            "approval and signature all work.",
        )
    ticket.refresh_from_db()
    return ticket


# The business system's default checks (fieldwork/migrations/0002), by label: result, note.
CHECK_RESULTS = {
    "使用测试账号登录系统": (CheckResult.PASSED, ""),
    "发起并走完一个审批流程": (
        CheckResult.PASSED,
        "测试付款单走完三级审批，U盾签名成功（未提交银行）。"
        "\nA test payment went through three approvals and was signed (not sent to the bank).",
    ),
    "上传并打开一个附件": (
        CheckResult.NOT_APPLICABLE,
        "付款审批单不带附件，本次只涉及U盾签名。"
        "\nPayment approvals carry no attachment; only the signature was affected.",
    ),
    "确认无次生问题（相关功能和速度正常）": (
        CheckResult.PASSED,
        "外接显示器、网口、打印经新扩展坞均正常。"
        "\nScreens, network and printing work through the new dock.",
    ),
}


def _checks(context: Context, pk: int, bob: User, start: dt.datetime) -> None:
    """The category's default checks put on the ticket, then each one recorded."""
    with _step(context, start, "bob opens the functional checks"):
        listed = checks.ensure_checks(pk, actor=bob)
    for index, check in enumerate(listed, start=1):
        result, note = CHECK_RESULTS.get(check.label, (CheckResult.PASSED, ""))
        with _step(context, start + index * MINUTE, f"bob records the check “{check.label}”"):
            checks.record_check(pk, check.pk, actor=bob, result=result, note=note)


# --- the hooks demo/registry.py calls --------------------------------------------------------


def is_loaded() -> bool:
    return Ticket.objects.filter(title=USB_KEY_TITLE, requester__username="alice").exists()


def summary(context: Context) -> list[str]:
    ids = [t.pk for t in context.tickets]
    counts = [
        (RemoteConsent.objects, "remote-session consent", "remote-session consents"),
        (WorkLog.objects, "work-log entry", "work-log entries"),
        (SiteVisit.objects, "on-site visit", "on-site visits"),
        (WorkPlan.objects, "solution plan", "solution plans"),
        (FunctionalCheck.objects, "functional check", "functional checks"),
        (MaintenanceRecord.objects, "maintenance record", "maintenance records"),
    ]
    phrases = []
    for manager, one, many in counts:
        n = manager.filter(ticket_id__in=ids).count()
        phrases.append(f"{n} {one if n == 1 else many}")
    return phrases
