"""The knowledge part of the demo data (``manage.py load_demo``): the fault-case articles
the desk has written, in Chinese and English across the categories, and a few glossary
pairs of this company's own systems (the few hundred IT terms come with the migrations).

Runs after the tickets part (``INSTALLED_APPS`` order). Every article is written through
``knowledge.services.articles.create_article`` by the named person under the demo clock,
spread over the last months: tom (tech lead) publishes directly; bob and erin leave drafts
for his review; a few staff-only articles (servers, the remote-support tool) are internal.
The search columns are filled by the service as on the real screens.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from accounts.models import User
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, GlossaryTerm
from knowledge.services import glossary as glossary_services
from knowledge.services.articles import create_article
from tickets.models import Category

PUBLIC = Audience.PUBLIC
INTERNAL = Audience.INTERNAL
PUBLISHED = ArticleStatus.PUBLISHED
DRAFT = ArticleStatus.DRAFT
# Pairs of this company's own systems, added to the seeded glossary.
TERMS = [
    ("泛微OA", "Weaver OA"),
    ("费控系统", "expense system"),
    ("自助门户", "self-service portal"),
    ("准入认证", "network access control"),
]


class Clock(Protocol):
    def shift(self, delta: dt.timedelta) -> None: ...


class Context(Protocol):
    """What this part reads of the demo context: the people and the end of the history."""

    now: dt.datetime
    users: dict[str, User]

    def stopped_at(self, moment: dt.datetime) -> AbstractContextManager[Clock]: ...


@dataclass(frozen=True)
class Spec:
    title: str
    symptom: str
    cause: str
    steps: list[str]
    category: str
    scenarios: list[str] = field(default_factory=list)
    audience: str = PUBLIC
    status: str = PUBLISHED
    author: str = "tom"


ARTICLES: list[Spec] = [
    Spec(
        "蓝屏代码 0x0000007B：开机后无法进入系统",
        "电脑开机出现蓝屏，提示 INACCESSIBLE_BOOT_DEVICE（0x0000007B），"
        "随后自动重启，反复几次都进不去系统。",
        "BIOS 中的硬盘模式（AHCI/RAID）被改动，或更新后存储驱动损坏，系统找不到启动盘。",
        [
            "开机按 **F1/F2** 进入 BIOS，确认 SATA 模式为 AHCI（与装机时一致）。",
            "仍蓝屏：从 U 盘启动 Windows 安装介质，选择“修复计算机 > 启动修复”。",
            "启动修复无效时在命令提示符运行 "
            "`sfc /scannow /offbootdir=C:\\ /offwindir=C:\\Windows`。",
            "以上无效请报修，工程师现场处理，勿自行重装系统（会丢失数据）。",
        ],
        "software-os",
        ["Windows 10 22H2", "Lenovo ThinkCentre M70t"],
    ),
    Spec(
        "随机蓝屏 MEMORY_MANAGEMENT（0x0000001A）",
        "使用中不定时蓝屏，停止代码 MEMORY_MANAGEMENT，多在打开大文件或多个程序时出现。",
        "内存条接触不良或损坏。",
        [
            "保存工作，运行 `mdsched.exe` 选择“立即重新启动并检查问题”。",
            "检测报错时报修，工程师更换内存条。",
        ],
        "hardware-pc",
        ["Windows 11 23H2"],
    ),
    Spec(
        "Blue screen after a driver update: roll the driver back",
        "The PC shows a blue screen (DRIVER_IRQL_NOT_LESS_OR_EQUAL) a few minutes after "
        "signing in, since Windows Update installed a new network or graphics driver.",
        "The new driver version is faulty on this model.",
        [
            "Hold **Shift** and click Restart, then Troubleshoot > Advanced options > Startup "
            "Settings > Safe Mode.",
            "Open Device Manager, right-click the device > Properties > Driver > Roll Back Driver.",
            "Tell the service desk the model and driver version, so the update is blocked for "
            "everyone.",
        ],
        "software-os",
        ["Windows 11 23H2"],
    ),
    Spec(
        "HP LaserJet M404dn 卡纸（面板提示 13.B2.D1）",
        "打印中途停止，面板提示 13.B2.D1 卡纸，打开前盖没有看到纸。",
        "纸张卡在定影器区域（后盖内），多为纸张受潮或使用了过厚的纸。",
        [
            "关闭电源，等 10 分钟让定影器冷却（小心烫手）。",
            "打开后盖，按出纸方向慢慢拉出纸张，检查有无碎纸残留。",
            "换用干燥的 70–80 g 纸，打印配置页确认正常。",
        ],
        "hardware-printer",
        ["HP LaserJet M404dn"],
    ),
    Spec(
        "HP LaserJet M404dn：纸盒 2 不进纸，提示缺纸",
        "纸盒 2 装满纸仍提示“纸盒 2 缺纸”，纸盒 1 打印正常。",
        "纸盒 2 搓纸轮磨损或沾了纸屑。",
        [
            "抽出纸盒 2，用微湿的无绒布擦拭搓纸轮。",
            "检查纸张导板位置，纸张不要超过装纸线。",
            "仍不进纸请报修更换搓纸轮。",
        ],
        "hardware-printer",
        ["HP LaserJet M404dn"],
    ),
    Spec(
        "添加共享打印机报错 0x0000011b",
        "连接同事电脑共享的打印机时提示“操作失败，错误为 0x0000011b”。",
        "Windows 安全更新后，打印服务要求更严格的 RPC 认证，点对点共享的打印机被拒绝。",
        [
            "请改为添加打印服务器 `\\\\print01` 上的同名打印机。",
            "找不到时在服务台提单，注明打印机位置。",
        ],
        "hardware-printer",
        ["Windows 10 22H2", "Windows 11 23H2"],
    ),
    Spec(
        "Printer shows 'Offline' although it is switched on",
        "Windows lists the office printer as Offline and documents stay in the print queue.",
        "The printer received a new IP address; the Windows port still uses the old one.",
        [
            "Print a configuration page on the printer panel and note its IP address.",
            "Printer properties > Ports > Configure Port: enter the new address.",
            "Ask the service desk to reserve the address so it does not change again.",
        ],
        "hardware-printer",
        ["Windows 11 23H2"],
    ),
    Spec(
        "打印队列卡住，任务删不掉",
        "打印队列中的任务一直显示“正在删除”，之后发送的文件都打印不出来。",
        "后台打印服务（Print Spooler）卡死。",
        [
            "按 Win+R 输入 `services.msc`，停止 Print Spooler。",
            "删除 `C:\\Windows\\System32\\spool\\PRINTERS` 中的文件。",
            "启动 Print Spooler，重新打印。",
        ],
        "hardware-printer",
    ),
    Spec(
        "扫描到邮箱失败（复印机提示 SMTP 错误）",
        "在复印机上选择“扫描到邮件”后提示发送失败，复印、打印正常。",
        "邮箱服务器启用了新的认证方式，复印机上保存的扫描账户密码已过期。",
        ["联系服务台更新复印机的扫描账户。", "临时可先扫描到 U 盘或共享文件夹。"],
        "hardware-printer",
        ["Ricoh IM C3000"],
    ),
    Spec(
        "Office 显示“产品未激活”",
        "Word、Excel 顶部出现红色横幅“产品未激活”，很多功能变灰。",
        "电脑超过 180 天未连接公司网络，Office 无法向 KMS 服务器续期。",
        [
            "连接公司网络或 VPN。",
            "以管理员身份打开命令提示符，执行 "
            '`cscript "C:\\Program Files\\Microsoft Office\\Office16\\OSPP.VBS" /act`。',
        ],
        "software-office",
        ["Office 2019"],
    ),
    Spec(
        "Windows activation fails with error 0xC004F074",
        "'Activate Windows' appears on the desktop; the activation page shows error "
        "0xC004F074 (no Key Management Service could be contacted).",
        "The laptop has not reached the company KMS server for months.",
        [
            "Connect to the office network or VPN.",
            "Run `slmgr /ato` in an administrator command prompt.",
        ],
        "software-os",
        ["Windows 10 22H2"],
    ),
    Spec(
        "Outlook 收不到新邮件",
        "Outlook 能发出邮件，但收件箱长时间没有新邮件，网页版邮箱可以看到。",
        "Outlook 被切换到“脱机工作”，或本地 OST 缓存文件损坏。",
        [
            "在“发送/接收”选项卡取消“脱机工作”。",
            "仍不同步：关闭 Outlook，在“控制面板 > 邮件”中重建配置文件。",
        ],
        "configuration-email",
        ["Outlook 2019"],
    ),
    Spec(
        "邮箱已满，别人发来的邮件被退回",
        "同事反馈给你发邮件收到退信“收件人邮箱已满”。",
        "邮箱已用完 2GB 配额。",
        [
            "删除带大附件的旧邮件，并清空“已删除邮件”。",
            "需要扩容请在服务台提交“邮箱扩容”申请，部门经理审批。",
        ],
        "configuration-email",
    ),
    Spec(
        "Set up company email on an iPhone or Android phone",
        "You want to read company email on your phone.",
        "",
        [
            "Install Outlook for iOS/Android from the app store.",
            "Sign in with your company address and password; approve the MFA prompt.",
            "Allow the device management profile when asked (required by policy).",
        ],
        "configuration-email",
        ["Outlook for iOS", "Outlook for Android"],
    ),
    Spec(
        "VPN 连接失败，提示错误 809",
        "在家连接公司 VPN 时提示错误 809，网络正常。",
        "家用路由器或运营商屏蔽了 L2TP/IPsec 使用的 UDP 500/4500 端口。",
        ["改用 SSL VPN 客户端（“EasyConnect”）。", "仍失败时用手机热点测试，并把结果告诉服务台。"],
        "network-vpn",
        ["Windows 10 22H2"],
    ),
    Spec(
        "VPN drops every few minutes when working from home",
        "The VPN connects but disconnects after a few minutes, several times an hour.",
        "Wi-Fi power saving turns the wireless adapter off, or the home router is unstable.",
        [
            "Device Manager > Network adapters > your Wi-Fi adapter > Power Management: clear "
            "'Allow the computer to turn off this device to save power'.",
            "Use a network cable or sit closer to the router.",
        ],
        "network-vpn",
    ),
    Spec(
        "连上公司 Wi-Fi 显示“无 Internet”",
        "笔记本连上 Corp-WiFi 后提示“无 Internet，安全”，网页打不开，手机正常。",
        "没有完成准入认证，或 DNS 缓存了错误的地址。",
        [
            "打开浏览器访问任意网站，在弹出的认证页登录域账号。",
            "仍不行：命令提示符执行 `ipconfig /flushdns`，断开后重新连接。",
        ],
        "network-wifi",
    ),
    Spec(
        "Windows 提示 IP 地址冲突，网络时断时续",
        "右下角弹出“IP 地址冲突”，网络一会儿能用一会儿不能用。",
        "有设备手动设置了与你相同的固定 IP。",
        ["网卡属性中改为“自动获得 IP 地址”。", "问题反复出现请报修，网络组会定位冲突设备。"],
        "network-wired",
    ),
    Spec(
        "域账号被锁定，无法登录电脑",
        "登录时提示“引用的账户当前已锁定”。",
        "短时间内多次输错密码；常见原因是手机邮箱还在用旧密码不停尝试。",
        [
            "等待 30 分钟自动解锁，或致电服务台立即解锁。",
            "修改密码后，记得同时更新手机邮箱和 Wi-Fi 中保存的密码。",
        ],
        "permission-account",
    ),
    Spec(
        "Password expired while working from home",
        "Windows asks you to change an expired password, but you are not in the office.",
        "Domain passwords expire every 90 days and need the domain controller to change.",
        [
            "Connect the VPN first, then press Ctrl+Alt+Del > Change a password.",
            "Or use the self-service portal: https://password.example.com.",
        ],
        "permission-account",
    ),
    Spec(
        "提示“此工作站和主域间的信任关系失败”",
        "开机用域账号登录时提示信任关系失败，无法进入桌面。",
        "计算机账户密码与域控制器不一致（长期离线、系统还原后常见）。",
        ["请致电服务台，工程师用本地管理员账号远程处理（退域后重新加域）。"],
        "permission-account",
    ),
    Spec(
        "BitLocker asks for a recovery key at start-up",
        "After a BIOS or firmware update the laptop shows a blue BitLocker screen asking for "
        "a 48-digit recovery key.",
        "The security chip (TPM) saw a changed firmware and does not release the key.",
        [
            "Find the key on the self-service portal under My devices (the key ID is shown "
            "on the screen).",
            "No portal access: call the service desk and give the key ID.",
        ],
        "security-malware",
    ),
    Spec(
        "外接显示器无信号（扩展坞）",
        "笔记本接扩展坞后外接显示器显示“无信号”，笔记本屏幕正常。",
        "扩展坞固件过旧，或显示模式被设为“仅电脑屏幕”。",
        [
            "按 Win+P 选择“扩展”。",
            "拔插扩展坞电源后再连接。",
            "仍无信号请报修，工程师更新扩展坞固件。",
        ],
        "hardware-pc",
        ["Lenovo ThinkPad USB-C Dock Gen 2"],
    ),
    Spec(
        "会议室投影仪显示“无信号”",
        "会议室投影仪接上 HDMI 后一直显示无信号，画面投不上去。",
        "投影仪信号源不对，或 HDMI 线松动。",
        [
            "用遥控器按 Source 切换到 HDMI。",
            "笔记本按 Win+P 选择“复制”。",
            "换一根 HDMI 线；仍不行拨打服务台电话。",
        ],
        "hardware-pc",
        ["Epson CB-X06"],
    ),
    Spec(
        "Laptop battery says 'plugged in, not charging'",
        "The battery stays at the same percentage while the charger is connected.",
        "A charge threshold is set in Lenovo Vantage to protect the battery, or the battery "
        "is worn out.",
        [
            "Open Lenovo Vantage > Power and turn off the charge threshold.",
            "If capacity is below 60 %, request a battery replacement.",
        ],
        "hardware-pc",
        ["Lenovo ThinkPad T14"],
    ),
    Spec(
        "电脑运行很慢，C 盘空间不足",
        "开机、打开软件都很慢，C 盘图标变红。",
        "系统盘被临时文件、更新缓存和下载文件占满。",
        ["运行“磁盘清理”，点“清理系统文件”。", "把“下载”“桌面”里的大文件移到 D 盘或网盘。"],
        "hardware-pc",
    ),
    Spec(
        "Teams: others cannot hear me in a meeting",
        "In Teams meetings nobody hears you, although the microphone works elsewhere.",
        "Teams picked another microphone, or Windows privacy settings block desktop apps.",
        [
            "Teams > Settings > Devices: choose your headset and make a test call.",
            "Windows Settings > Privacy > Microphone: allow desktop apps.",
        ],
        "software-office",
        ["Microsoft Teams"],
    ),
    Spec(
        "企业微信会议共享屏幕黑屏",
        "在企业微信会议中共享屏幕，其他参会人看到的是黑屏。",
        "系统未授予屏幕录制权限，或显卡硬件加速冲突。",
        [
            "在系统隐私设置中允许企业微信录制屏幕。",
            "企业微信设置 > 通用 中关闭“硬件加速”，重启企业微信。",
        ],
        "software-office",
        ["企业微信 4.1"],
    ),
    Spec(
        "Excel 打开 CSV 中文乱码",
        "从业务系统导出的 CSV 用 Excel 双击打开，中文显示为乱码。",
        "文件是 UTF-8 编码，Excel 默认按 GBK 打开。",
        ["在 Excel 中选择“数据 > 从文本/CSV”，文件原始格式选 65001: Unicode (UTF-8)。"],
        "software-office",
        ["Excel 2019"],
    ),
    Spec(
        "收到可疑的钓鱼邮件怎么办",
        "邮件自称来自 IT 部门或领导，要求点击链接“重新验证邮箱”或转账。",
        "仿冒的钓鱼邮件，用来窃取账号密码。",
        [
            "不要点击链接、不要打开附件。",
            "点击 Outlook 中的“报告钓鱼”按钮。",
            "已经输入过密码：立即修改密码并致电服务台。",
        ],
        "security-phishing",
    ),
    Spec(
        "Files suddenly renamed and will not open: possible ransomware",
        "Your documents have a strange new extension and a text file demands payment.",
        "Ransomware is encrypting files on the computer and the shared drives.",
        [
            "Unplug the network cable and turn off Wi-Fi immediately; do not shut down.",
            "Call the service desk at once: this is a security incident.",
        ],
        "security-malware",
    ),
    Spec(
        "财务系统签名提示“未检测到U盾”",
        "在财务系统审批付款时点“签名”，提示未检测到U盾。",
        "U盾驱动没有安装，或通过扩展坞/延长线连接供电不足。",
        ["把U盾直接插在电脑 USB 口上。", "从财务系统登录页下载并安装U盾驱动，重启浏览器。"],
        "software-business",
        ["用友 U8"],
    ),
    Spec(
        "USB flash drive is not recognized",
        "Nothing happens when you plug in a USB flash drive.",
        "Company policy blocks removable storage on most computers.",
        [
            "Use the shared drive or OneDrive to move files.",
            "If your work needs USB storage, file an access request with your manager's approval.",
        ],
        "permission-access",
    ),
    Spec(
        "服务器 RAID 阵列降级处理（工程师）",
        "iDRAC 告警 RAID 5 阵列降级，一块硬盘状态 Failed。",
        "硬盘故障。",
        [
            "在 iDRAC 中确认故障盘槽位与型号。",
            "在维护窗口热插拔更换，观察重建进度直到 Optimal。",
            "在资产中登记更换记录。",
        ],
        "hardware-server",
        ["Dell PowerEdge R740"],
        audience=INTERNAL,
    ),
    Spec(
        "Remote support: starting a TeamViewer session",
        "How an engineer starts a remote session once the requester agreed.",
        "",
        [
            "Ask the requester to open TeamViewer QuickSupport and read you the ID.",
            "Record the consent on the ticket before connecting.",
        ],
        "configuration-device",
        ["TeamViewer"],
        audience=INTERNAL,
    ),
    Spec(
        "新员工电脑领用与初始化",
        "新员工入职当天需要可用的电脑、邮箱和常用软件。",
        "",
        ["从资产库领取电脑并登记。", "加域、安装办公软件与杀毒软件。", "协助登录邮箱与企业微信。"],
        "configuration-device",
        status=DRAFT,
        author="bob",
    ),
    Spec(
        "Webcam not working in the browser",
        "Video calls in the browser show a black image instead of the webcam.",
        "The browser has no camera permission, or the privacy shutter is closed.",
        [
            "Open the lock icon in the address bar and allow the camera.",
            "Slide the webcam shutter open.",
        ],
        "hardware-pc",
        status=DRAFT,
        author="erin",
    ),
]


def load(context: Context) -> None:
    for pair in TERMS:
        if not GlossaryTerm.objects.filter(zh=pair[0], en=pair[1]).exists():
            glossary_services.add_term(zh=pair[0], en=pair[1])
    categories = {c.slug: c for c in Category.objects.all()}
    count = len(ARTICLES)
    for number, spec in enumerate(ARTICLES):
        # The oldest first, every three days, the newest a day before the demo's now.
        moment = context.now - dt.timedelta(days=1 + 3 * (count - 1 - number), hours=number % 7)
        with context.stopped_at(moment):
            create_article(
                by=context.users[spec.author],
                title=spec.title,
                symptom=spec.symptom,
                cause=spec.cause,
                steps=spec.steps,
                scenarios=spec.scenarios,
                category=categories.get(spec.category),
                audience=spec.audience,
                status=spec.status,
            )


def summary(context: Context) -> list[str]:
    published = Article.objects.filter(status=PUBLISHED).count()
    return [f"{Article.objects.count()} knowledge articles ({published} published)"]
