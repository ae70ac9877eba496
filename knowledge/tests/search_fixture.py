"""A fixed set of articles and queries for the search-quality test, written for it.

36 articles in Chinese and English across the categories, with near-duplicates (two
HP M404dn paper problems, three blue screens, two "no signal" screens, two mailbox
problems, two activation problems) and cross-language pairs; 53 queries in Chinese,
English and both, colloquial, across languages, with error codes and pieces of words,
each naming the one article a person asking it wants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.choices import ArticleStatus, Audience


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    symptom: str
    cause: str
    steps: list[str]
    category: str
    scenarios: list[str] = field(default_factory=list)
    audience: str = Audience.PUBLIC
    status: str = ArticleStatus.PUBLISHED


ARTICLES: list[Spec] = [
    Spec(
        "bsod-7b",
        "Windows 启动蓝屏 0x0000007B（INACCESSIBLE_BOOT_DEVICE）",
        "开机后出现蓝屏，停止代码 0x0000007B，电脑随后反复重启，无法进入系统。",
        "BIOS 中的硬盘模式（AHCI/RAID）被更改，或存储控制器驱动损坏，系统找不到启动盘。",
        [
            "进入 BIOS，把 SATA 模式改回原来的设置（通常为 AHCI）。",
            "仍不能启动时，用 Windows 安装盘进入“修复计算机”，运行 `sfc /scannow`。",
            "驱动损坏时在安全模式下重新安装存储控制器驱动。",
        ],
        "software-os",
        ["Windows 10 22H2"],
    ),
    Spec(
        "bsod-memory",
        "蓝屏 MEMORY_MANAGEMENT（0x0000001A）：内存故障排查",
        "使用过程中随机蓝屏，代码 0x0000001A，多发生在打开大型表格或多开浏览器时。",
        "内存条接触不良或损坏，也可能是超频设置不稳定。",
        [
            "运行 Windows 内存诊断（mdsched.exe），重启后自动检测。",
            "关机断电后重新插拔内存条，清洁金手指。",
            "检测到错误时更换内存条。",
        ],
        "hardware-pc",
        ["Windows 11 23H2"],
    ),
    Spec(
        "bsod-driver-en",
        "Blue screen DRIVER_IRQL_NOT_LESS_OR_EQUAL after a driver update",
        "The laptop crashes to a blue screen (stop code DRIVER_IRQL_NOT_LESS_OR_EQUAL) a few "
        "minutes after login, since a new network driver was installed by Windows Update.",
        "A faulty network adapter driver version.",
        [
            "Boot into Safe Mode (hold Shift while clicking Restart).",
            "In Device Manager, roll back the network adapter driver to the previous version.",
            "Hide the driver update with the Show/Hide updates troubleshooter.",
        ],
        "software-os",
        ["Windows 11 23H2"],
    ),
    Spec(
        "printer-jam-m404",
        "HP LaserJet M404dn 卡纸，面板提示 13.B2.D1",
        "打印到一半停止，打印机面板显示 13.B2.D1 卡纸错误，取出纸张后仍然报错。",
        "定影器区域残留碎纸，或纸张受潮卷曲。",
        [
            "关闭打印机电源，等待定影器冷却 10 分钟。",
            "打开后盖，沿出纸方向轻轻取出卡住的纸张和碎纸片。",
            "更换干燥的新纸，打印测试页。",
        ],
        "hardware-printer",
        ["HP LaserJet M404dn"],
    ),
    Spec(
        "printer-feed-m404",
        "HP LaserJet M404dn 纸盒 2 不进纸",
        "从纸盒 2 打印时打印机提示缺纸，但纸盒里有纸，纸盒 1 正常。",
        "纸盒 2 的搓纸轮磨损或沾灰，无法把纸送入。",
        [
            "取出纸盒 2，用湿布清洁搓纸轮。",
            "检查纸张导板是否卡住纸张。",
            "仍不进纸时报修更换搓纸轮。",
        ],
        "hardware-printer",
        ["HP LaserJet M404dn"],
    ),
    Spec(
        "printer-0x11b",
        "连接共享打印机失败，错误 0x0000011b",
        "添加同事电脑上共享的打印机时提示“Windows 无法连接到打印机”，错误代码 0x0000011b。",
        "Windows 安全更新加强了打印服务的 RPC 认证，旧的共享方式被拒绝。",
        [
            "优先改用打印服务器上的网络打印机。",
            "确需共享时，在共享打印机的电脑上更新到最新补丁后重新共享。",
        ],
        "hardware-printer",
        ["Windows 10 22H2"],
    ),
    Spec(
        "printer-offline-en",
        "Network printer shows Offline in Windows",
        "The office printer appears as Offline in Settings > Printers & scanners, and print "
        "jobs stay in the queue, although the printer itself is on.",
        "The printer got a new IP address from DHCP and the Windows port still points to the "
        "old address.",
        [
            "Print a configuration page on the printer to read its current IP address.",
            "In Printer properties > Ports, change the TCP/IP port to the new address.",
            "Ask IT to reserve the address for the printer.",
        ],
        "hardware-printer",
        ["Windows 11 23H2"],
    ),
    Spec(
        "printer-spooler",
        "打印任务卡在队列中无法删除",
        "打印队列里有一个任务一直显示“正在删除”，后面的文件都打印不出来。",
        "后台打印服务（Print Spooler）卡住。",
        [
            "在“服务”中停止 Print Spooler。",
            "删除 C:\\Windows\\System32\\spool\\PRINTERS 下的所有文件。",
            "重新启动 Print Spooler 服务。",
        ],
        "hardware-printer",
    ),
    Spec(
        "printer-faded",
        "打印字迹模糊、页面有黑条",
        "打印出的文件字迹发淡，页面上有竖向黑色条纹。",
        "硒鼓碳粉不足或感光鼓划伤。",
        ["摇匀硒鼓后重新装入。", "打印清洁页。", "仍有黑条时更换硒鼓。"],
        "hardware-printer",
    ),
    Spec(
        "office-activation",
        "Office 提示“产品未激活”，功能受限",
        "打开 Word、Excel 时顶部出现红色提示“产品未激活”，无法编辑文档。",
        "电脑长时间未连接公司网络，Office 无法向 KMS 服务器续期。",
        ["连接公司网络或 VPN。", "以管理员身份运行命令提示符执行 `cscript ospp.vbs /act`。"],
        "software-office",
        ["Office 2019"],
    ),
    Spec(
        "windows-activation-en",
        "Windows activation error 0xC004F074",
        "Windows shows 'Activate Windows' on the desktop; Settings > Activation reports error "
        "0xC004F074: no Key Management Service (KMS) could be contacted.",
        "The computer cannot reach the KMS server (off the company network, or DNS does not "
        "return the _vlmcs record).",
        [
            "Connect to the office network or the VPN.",
            "Run `slmgr /ato` as administrator.",
            "If it still fails, check `nslookup -type=srv _vlmcs._tcp`.",
        ],
        "software-os",
        ["Windows 10 22H2"],
    ),
    Spec(
        "outlook-not-receiving",
        "Outlook 收不到新邮件，发送正常",
        "Outlook 能发邮件，但收件箱几个小时没有新邮件，网页版邮箱里有。",
        "Outlook 处于脱机工作模式，或 OST 文件损坏。",
        [
            "检查“发送/接收”选项卡中“脱机工作”是否被选中。",
            "关闭 Outlook，删除并重建 OST 文件。",
        ],
        "configuration-email",
        ["Outlook 2019"],
    ),
    Spec(
        "outlook-pst-en",
        "Outlook data file (PST) has reached its maximum size",
        "Outlook says the data file has reached the maximum size and new messages cannot be "
        "saved or sent.",
        "A PST archive file larger than 50 GB.",
        [
            "Archive old items to a new PST file (File > Tools > Clean Up Old Items).",
            "Empty Deleted Items and compact the data file.",
        ],
        "configuration-email",
        ["Outlook 2019"],
    ),
    Spec(
        "mailbox-full",
        "邮箱已满，无法接收邮件",
        "同事反馈给我发邮件被退信，提示收件人邮箱已满，我的邮箱配额 2GB 已用完。",
        "服务器邮箱容量达到配额上限。",
        ["删除大附件邮件并清空“已删除邮件”。", "申请扩大邮箱容量（需部门经理审批）。"],
        "configuration-email",
    ),
    Spec(
        "vpn-809",
        "VPN 连接失败，错误 809",
        "在家使用 VPN 客户端连接公司时提示错误 809：无法建立计算机与 VPN 服务器之间的网络连接。",
        "家用路由器或运营商拦截了 L2TP/IPsec 所需的 UDP 500/4500 端口。",
        ["改用 SSL VPN 客户端连接。", "仍失败时换用手机热点测试。"],
        "network-vpn",
        ["Windows 10 22H2"],
    ),
    Spec(
        "vpn-drops-en",
        "VPN disconnects every few minutes on home Wi-Fi",
        "The VPN connects, then drops after a few minutes; reconnecting works for a while.",
        "Wi-Fi power saving on the laptop, or an unstable home router.",
        [
            "Disable 'Allow the computer to turn off this device to save power' on the "
            "wireless adapter.",
            "Move closer to the router or use a network cable.",
        ],
        "network-vpn",
    ),
    Spec(
        "wifi-no-internet",
        "连接公司 Wi-Fi 后显示“无 Internet”",
        "笔记本连上公司无线网络，图标显示“无 Internet”，网页打不开，有线网络正常。",
        "未通过网络准入认证，或获取到了错误的 DNS。",
        ["打开浏览器访问任意网址，完成认证页面登录。", "执行 `ipconfig /flushdns` 后重新连接。"],
        "network-wifi",
    ),
    Spec(
        "ip-conflict",
        "IP 地址冲突导致网络时断时续",
        "电脑右下角提示“Windows 检测到 IP 地址冲突”，网络时有时无。",
        "有设备手工设置了与本机相同的静态 IP。",
        ["把网卡改为自动获取 IP 地址。", "报告 IT 查找冲突设备。"],
        "network-wired",
    ),
    Spec(
        "account-locked",
        "域账号被锁定",
        "登录电脑时提示“引用的账户当前已锁定，且可能无法登录”。",
        "多次输入错误密码，或手机邮箱里保存的旧密码反复尝试登录。",
        ["等待 30 分钟自动解锁，或联系服务台解锁。", "在手机邮箱中更新为新密码。"],
        "permission-account",
    ),
    Spec(
        "password-expired-en",
        "Password expired: change it when working from home",
        "Windows says your password has expired and must be changed, but you are not in the "
        "office.",
        "Domain passwords expire every 90 days; changing one needs the domain controller.",
        [
            "Connect to the VPN first, then press Ctrl+Alt+Del and choose Change a password.",
            "Or change it on the self-service password portal.",
        ],
        "permission-account",
    ),
    Spec(
        "trust-relationship",
        "此工作站和主域间的信任关系失败",
        "开机登录域账号时提示“此工作站和主域间的信任关系失败”，本地账号可以登录。",
        "电脑的计算机账户密码与域控制器不一致（长时间离线或系统还原后）。",
        ["用本地管理员登录。", "退域后重新加域，重启。"],
        "permission-account",
    ),
    Spec(
        "bitlocker-en",
        "BitLocker asks for the recovery key after a BIOS update",
        "After a BIOS update the laptop shows a blue BitLocker recovery screen asking for a "
        "48-digit recovery key at every start.",
        "The TPM measurements changed with the firmware update.",
        [
            "Get the recovery key from the IT self-service portal (device name needed).",
            "After starting, suspend and resume BitLocker protection to reseal the TPM.",
        ],
        "security-malware",
    ),
    Spec(
        "monitor-no-signal",
        "外接显示器无信号（通过扩展坞连接）",
        "笔记本插上扩展坞后，外接显示器提示“无信号”，笔记本屏幕正常。",
        "扩展坞固件过旧或显示输出被设置为“仅电脑屏幕”。",
        ["按 Win+P 选择“扩展”。", "更新扩展坞固件和显卡驱动。", "更换视频线测试。"],
        "hardware-pc",
        ["Lenovo ThinkPad USB-C Dock"],
    ),
    Spec(
        "projector-hdmi",
        "会议室投影仪无信号（HDMI）",
        "会议室投影仪接上 HDMI 线后一直显示蓝屏“无信号”，笔记本画面投不上去。",
        "投影仪信号源不是当前接口，或 HDMI 线接触不良。",
        ["用遥控器把信号源切换到 HDMI1。", "按 Win+P 选择“复制”。", "更换 HDMI 线。"],
        "hardware-pc",
        ["会议室 Epson CB-X06"],
    ),
    Spec(
        "battery-en",
        "Laptop battery 'plugged in, not charging'",
        "The battery icon says 'plugged in, not charging' and the battery stays at the same level.",
        "Battery charge threshold set in the vendor utility, or a worn-out battery.",
        [
            "Open Lenovo Vantage and turn off the battery charge threshold.",
            "Check battery health; replace the battery if the capacity is below 60 %.",
        ],
        "hardware-pc",
        ["Lenovo ThinkPad T14"],
    ),
    Spec(
        "slow-pc",
        "电脑运行缓慢，C 盘空间不足",
        "开机和打开软件都很慢，C 盘显示红色，可用空间不足 1GB。",
        "临时文件、更新缓存和下载文件占满了系统盘。",
        ["运行“磁盘清理”并勾选“清理系统文件”。", "把下载和桌面上的大文件移到 D 盘。"],
        "hardware-pc",
    ),
    Spec(
        "teams-mic-en",
        "Teams meeting: others cannot hear me",
        "In Teams meetings the others cannot hear me, although my microphone works in other apps.",
        "Teams uses another microphone (for example the webcam's) or Windows blocks "
        "microphone access for desktop apps.",
        [
            "In Teams, Settings > Devices, choose the right microphone and make a test call.",
            "In Windows privacy settings allow desktop apps to use the microphone.",
        ],
        "software-office",
        ["Microsoft Teams"],
    ),
    Spec(
        "wecom-share",
        "企业微信会议无法共享屏幕",
        "在企业微信会议中点击“共享屏幕”后，其他人看到的是黑屏。",
        "系统没有给企业微信屏幕录制权限，或显卡硬件加速冲突。",
        ["在系统隐私设置中允许企业微信录制屏幕。", "在企业微信设置中关闭硬件加速。"],
        "software-office",
        ["企业微信 4.1"],
    ),
    Spec(
        "excel-garbled",
        "Excel 打开 CSV 文件中文乱码",
        "从业务系统导出的 CSV 文件用 Excel 打开后，中文全部显示为乱码。",
        "CSV 文件是 UTF-8 编码且没有 BOM，Excel 按 GBK 解析。",
        ["在 Excel 中用“数据 > 从文本/CSV”导入并选择 65001: UTF-8 编码。"],
        "software-office",
        ["Excel 2019"],
    ),
    Spec(
        "phishing",
        "收到可疑的钓鱼邮件怎么办",
        "收到自称“IT 部门”的邮件，要求点击链接重新验证邮箱密码。",
        "仿冒内部通知的钓鱼邮件，目的是窃取账号密码。",
        [
            "不要点击链接或打开附件。",
            "使用“报告钓鱼邮件”按钮上报安全团队。",
            "如已输入密码，立即修改密码并联系服务台。",
        ],
        "security-phishing",
    ),
    Spec(
        "ransomware-en",
        "Files renamed with a strange extension: suspected ransomware",
        "Documents on the laptop and the shared drive suddenly have an unknown extension and "
        "will not open; a text file asks for payment.",
        "Ransomware encrypted the files.",
        [
            "Unplug the network cable and turn off Wi-Fi at once; do not shut the laptop down.",
            "Call the service desk: security incident, highest priority.",
        ],
        "security-malware",
    ),
    Spec(
        "finance-ukey",
        "财务系统付款签名提示“未检测到U盾”",
        "在财务系统审批付款时点击签名，提示“未检测到U盾”，U盾指示灯不亮。",
        "U盾驱动未安装或 USB 接口供电不足。",
        ["把 U盾直接插到电脑的 USB 接口（不要经过扩展坞）。", "重新安装 U盾驱动后重启浏览器。"],
        "software-business",
    ),
    Spec(
        "usb-drive-en",
        "USB flash drive not recognized",
        "When a USB flash drive is plugged in nothing happens; it does not appear in File "
        "Explorer.",
        "Company policy blocks removable storage, or the drive letter conflicts with a mapped "
        "network drive.",
        [
            "Check whether the drive appears in Disk Management; assign a new drive letter.",
            "Request a USB storage exception if your work needs one.",
        ],
        "hardware-pc",
    ),
    Spec(
        "raid-internal",
        "服务器 RAID 阵列降级处理",
        "服务器管理口告警：RAID 5 阵列降级，一块硬盘状态为 Failed。",
        "硬盘故障。",
        ["确认备件型号。", "在维护窗口热插拔更换硬盘，观察重建进度。"],
        "hardware-server",
        audience=Audience.INTERNAL,
    ),
    Spec(
        "vpn-draft",
        "VPN 证书过期（草稿）",
        "VPN 客户端提示证书过期，无法连接。",
        "客户端证书到期。",
        ["在自助门户重新申请证书。"],
        "network-vpn",
        status=ArticleStatus.DRAFT,
    ),
    Spec(
        "screen-flicker",
        "笔记本屏幕闪烁",
        "笔记本屏幕不停闪烁，外接显示器正常。",
        "显卡驱动版本问题或屏幕排线松动。",
        ["更新显卡驱动。", "仍闪烁时报修检查屏幕排线。"],
        "hardware-pc",
    ),
]

# (query, key of the article it asks for)
QUERIES: list[tuple[str, str]] = [
    # Chinese
    ("蓝屏 0x0000007B", "bsod-7b"),
    ("打印任务删不掉", "printer-spooler"),
    ("IP冲突", "ip-conflict"),
    ("域信任关系失败", "trust-relationship"),
    ("企业微信 共享屏幕", "wecom-share"),
    ("U盾", "finance-ukey"),
    ("打印机不进纸", "printer-feed-m404"),
    ("Office 未激活", "office-activation"),
    ("outlook 收不到邮件", "outlook-not-receiving"),
    ("显示器没信号", "monitor-no-signal"),
    ("打印字迹模糊", "printer-faded"),
    # English
    ("printer offline", "printer-offline-en"),
    ("password expired", "password-expired-en"),
    ("blue screen after installing a new driver", "bsod-driver-en"),
    ("vpn keeps disconnecting", "vpn-drops-en"),
    ("PST file maximum size", "outlook-pst-en"),
    # mixed
    ("打印机 M404 卡纸", "printer-jam-m404"),
    ("teams 别人听不到我说话", "teams-mic-en"),
    ("excel csv 乱码", "excel-garbled"),
    ("bitlocker 恢复密钥", "bitlocker-en"),
    # colloquial
    ("电脑死机蓝屏了，一直重启进不去系统", "bsod-7b"),
    ("账号被锁了登不上电脑", "account-locked"),
    ("连上wifi但是上不了网", "wifi-no-internet"),
    ("电脑很卡很慢怎么办", "slow-pc"),
    ("会议室投影没画面", "projector-hdmi"),
    ("笔记本电池充不进电", "battery-en"),
    ("我的邮箱满了别人发不进来", "mailbox-full"),
    # across languages
    ("printer paper jam", "printer-jam-m404"),
    ("打印机脱机", "printer-offline-en"),
    ("Windows 激活失败", "windows-activation-en"),
    ("phishing email", "phishing"),
    ("文件被加密了 后缀名都变了", "ransomware-en"),
    ("u盘识别不了", "usb-drive-en"),
    ("蓝屏 驱动 更新后", "bsod-driver-en"),
    ("mailbox full", "mailbox-full"),
    # error codes and pieces
    ("13.B2.D1", "printer-jam-m404"),
    ("0x0000011b", "printer-0x11b"),
    ("0x11b", "printer-0x11b"),
    ("0x7B 蓝屏", "bsod-7b"),
    ("0xC004F074", "windows-activation-en"),
    ("VPN 809", "vpn-809"),
    ("MEMORY_MANAGEMENT", "bsod-memory"),
    ("rinter offline", "printer-offline-en"),
    # near-duplicates told apart by one detail
    ("M404 纸盒2 缺纸", "printer-feed-m404"),
    ("打印出来有黑条", "printer-faded"),
    ("笔记本屏幕一直闪", "screen-flicker"),
    ("Outlook PST 文件太大", "outlook-pst-en"),
    ("发邮件给同事被退信", "mailbox-full"),
    ("投影仪 HDMI 没反应", "projector-hdmi"),
    ("扩展坞 显示器 黑屏", "monitor-no-signal"),
    ("word 提示未激活 不能编辑", "office-activation"),
    ("Teams 麦克风没声音", "teams-mic-en"),
    ("域账号 锁定", "account-locked"),
]
