"""What a message says about its ticket, read from its words: a title, a category, the impact
and the urgency (R1.2). A guess: the engineer changes it on the ticket like any other.

Keywords are Chinese (matched anywhere: Chinese has no spaces between words) or English
(matched at the start of a word, short ones as whole words, so "oa" is not found in "load").
The category with the most keyword hits wins, the earlier one in ``CATEGORY_WORDS`` on a
tie; none found gives ``FALLBACK_CATEGORY``. Only the seeded categories' slugs are named
(``tickets/migrations/0002_default_categories.py``); one an admin turned off is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from tickets.choices import Impact, Urgency

TITLE_LENGTH = 60
# A title cut inside a long English word would end in half a word: the cut goes back to the
# last space only if that keeps at least this much of the title.
TITLE_MIN_AT_SPACE = 30

# slug -> keywords, most specific first (a tie goes to the earlier slug)
# fmt: off
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "security-malware": (
        "病毒", "勒索", "木马", "中毒", "挖矿", "被加密",
        "ransomware", "virus", "malware", "trojan", "infected",
    ),
    "security-phishing": (
        "钓鱼", "诈骗", "可疑邮件", "可疑链接", "phishing", "scam", "suspicious email",
    ),
    "hardware-printer": (
        "打印", "复印", "扫描仪", "硒鼓", "墨盒", "卡纸", "碳粉", "缺纸",
        "printer", "printing", "print", "toner", "scanner", "paper jam", "copier",
    ),
    "network-vpn": ("vpn", "远程接入", "远程访问", "remote access"),
    "network-wifi": ("wifi", "wi-fi", "无线", "热点", "wlan", "wireless", "hotspot"),
    "network-wired": (
        "网络", "断网", "上不了网", "网线", "内网", "网速", "网卡", "交换机", "网口",
        "network", "internet", "ethernet", "lan", "offline",
    ),
    "permission-account": (
        "密码", "锁定", "被锁", "账号", "账户", "帐号", "登录", "登陆", "登不上",
        "password", "locked", "account", "login", "log in", "sign in",
    ),
    "permission-access": (
        "权限", "开通", "授权", "permission", "access request", "grant access",
        "access to",
    ),
    "configuration-email": ("邮箱", "邮件", "outlook", "foxmail", "email", "e-mail", "mailbox"),
    "software-business": (
        "oa", "erp", "财务", "发票", "审批", "报销", "sap", "crm", "用友", "金蝶",
        "invoice", "approval", "expense",
    ),
    "software-office": (
        "word", "excel", "ppt", "powerpoint", "wps", "office", "文档", "表格",
    ),
    "software-os": (
        "蓝屏", "操作系统", "驱动", "更新", "补丁", "windows", "macos",
        "blue screen", "bsod", "driver", "update",
    ),
    "hardware-server": ("服务器", "存储", "磁盘阵列", "server", "storage", "nas"),
    "hardware-pc": (
        "电脑", "笔记本", "主机", "显示器", "键盘", "鼠标", "开不了机", "黑屏", "死机", "风扇",
        "computer", "laptop", "desktop", "monitor", "keyboard", "mouse", "pc",
    ),
    "configuration-device": (
        "配置", "设置", "安装", "投影", "会议室", "setup", "set up", "install", "projector",
    ),
}
# Nothing recognised: the broadest family people report most (changeable on the ticket).
FALLBACK_CATEGORY = "software"

IMPACT_WORDS: dict[str, tuple[str, ...]] = {
    Impact.NETWORK: (
        "全公司", "整个公司", "所有人", "全员", "全楼", "整栋楼", "大家都",
        "everyone", "everybody", "whole company", "all users", "entire company", "whole office",
    ),
    Impact.MULTIPLE: (
        "整个部门", "我们部门", "全部门", "好几个人", "多人", "几个同事", "同事们", "多台",
        "whole department", "whole team", "several people", "several users", "colleagues",
        "multiple users", "many users",
    ),
}
URGENCY_WORDS: dict[str, tuple[str, ...]] = {
    Urgency.INTERRUPTED: (
        "无法工作", "不能工作", "没法工作", "无法办公", "中断", "瘫痪", "宕机", "停工", "停摆",
        "is down", "are down", "went down", "goes down", "down now", "outage",
        "cannot work", "can't work", "can not work", "unable to work",
    ),
    Urgency.EXPERIENCE: (
        "壁纸", "不急", "有空", "顺便", "wallpaper", "not urgent", "when you have time",
        "no rush",
    ),
}

# fmt: on


@dataclass(frozen=True)
class Guess:
    title: str
    category: str  # a slug
    impact: str
    urgency: str


def normalise(text: str) -> str:
    """NFKC (full-width letters, digits and spaces become half-width), lower case."""
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for word in words:
        if word.isascii():
            end = r"(?![a-z0-9])" if len(word) <= 3 else ""
            parts.append(r"(?<![a-z0-9])" + re.escape(word) + end)
        else:
            parts.append(re.escape(word))
    return re.compile("|".join(parts))


def _hits(text: str, words: tuple[str, ...]) -> int:
    return len(_pattern(words).findall(text))


def category_of(text: str, active: set[str] | None = None) -> str:
    """The slug the text points at most (among ``active`` slugs when given)."""
    found = normalise(text)
    best, best_hits = FALLBACK_CATEGORY, 0
    for slug, words in CATEGORY_WORDS.items():
        if active is not None and slug not in active:
            continue
        hits = _hits(found, words)
        if hits > best_hits:
            best, best_hits = slug, hits
    return best


def _first_level(text: str, table: dict[str, tuple[str, ...]], default: str) -> str:
    found = normalise(text)
    for level, words in table.items():
        if _hits(found, words):
            return level
    return default


def impact_of(text: str) -> str:
    return _first_level(text, IMPACT_WORDS, Impact.SINGLE)


def urgency_of(text: str) -> str:
    return _first_level(text, URGENCY_WORDS, Urgency.ABNORMAL)


def title_of(text: str, length: int = TITLE_LENGTH) -> str:
    """The first line with words, shortened to ``length`` characters ending in "…"."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = " ".join(line.split())  # tabs, runs of spaces and full-width spaces: one space
    if len(line) <= length:
        return line
    cut = line[: length - 1]
    at_space = cut.rfind(" ")
    if at_space >= TITLE_MIN_AT_SPACE:
        cut = cut[:at_space]
    return cut.rstrip(" ,.;:，。；：、") + "…"


def guess(text: str, active: set[str] | None = None) -> Guess:
    return Guess(
        title=title_of(text),
        category=category_of(text, active),
        impact=impact_of(text),
        urgency=urgency_of(text),
    )
