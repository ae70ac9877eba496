"""What a reply adds, without the history it quotes (the ticket already holds that).

A reply is cut at the first line that starts the quoted mail:

* an attribution: "On Mon, 23 Nov 2026, Alice <…> wrote:" (also folded over two lines),
  "在 2026-11-23 10:00，"Alice" <…> 写道：", "Alice <…> 于2026年11月23日周一 10:00写道：";
* Outlook's and Foxmail's separators: "-----Original Message-----", "-----原始邮件-----",
  "------------------ 原始邮件 ------------------", a line of underscores before a header
  block, a forwarded-message line;
* a header block: "From:" / "发件人：" followed within a few lines by "Sent:" / "Date:" /
  "发送时间：" / "日期：" / "To:" / "收件人：" / "Subject:" / "主题：";
* a signature: "-- " alone on a line (RFC 3676), or a phone's "Sent from my iPhone" /
  "发自我的iPhone" footer;

and every line left that begins with ">" (quoted in between) is dropped. Only replies on a
ticket are cut: a new ticket keeps the whole text (a forwarded error report is the point).
"""

from __future__ import annotations

import re

# "On … wrote:"; the Chinese forms name a date, so a sentence like "他写道：" is not one.
_ATTRIBUTION = re.compile(
    r"^\s*(?:On\s.{1,300}\swrote:|(?=.*\d).{1,300}写道[:：])\s*$", re.IGNORECASE
)
_ON = re.compile(r"^\s*On\s", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:original message|原始邮件|forwarded message|转发邮件|转发的邮件)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\**\s*(?:from|发件人|寄件者)\s*\**\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\**\s*(?:sent|date|to|cc|subject|发送时间|时间|日期|收件人|抄送|主题)\s*\**\s*[:：]",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^\s*(?:sent from my\s.+|get outlook for\s.+|发自我的.+|从我的.+发送)\s*$", re.IGNORECASE
)
_HEADER_WINDOW = 5


def new_text(text: str) -> str:
    """The reply's own words (see the module's docstring); "" when it adds none."""
    lines = text.splitlines()
    cut = _first_quoted_line(lines)
    kept = [line for line in lines[:cut] if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def _first_quoted_line(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.rstrip("\r") in ("-- ", "--") or _FOOTER.match(line) or _SEPARATOR.match(line):
            return index
        if _ATTRIBUTION.match(line):
            return index
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _ON.match(line) and _ATTRIBUTION.match(f"{line.rstrip()} {following.strip()}"):
            return index  # "On …" folded over two lines
        if _UNDERSCORES.match(line) and _starts_header_block(lines, index + 1):
            return index
        if _HEADER_FROM.match(line) and _starts_header_block(lines, index):
            return index
    return len(lines)


def _starts_header_block(lines: list[str], start: int) -> bool:
    """A "From:" line at or just after ``start`` with another header line soon after it."""
    for index in range(start, min(start + 2, len(lines))):
        if _HEADER_FROM.match(lines[index]):
            window = lines[index + 1 : index + 1 + _HEADER_WINDOW]
            return any(_HEADER_NEXT.match(line) for line in window)
    return False
