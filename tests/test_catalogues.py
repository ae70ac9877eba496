"""The interface is complete in both languages, and its Chinese reads as Chinese.

Every string shown to people is translated in ``zh_Hans`` and ``en`` (nothing untranslated
or fuzzy), and Chinese text uses full-width punctuation (“，”, “：”, “（）”), not the ASCII
marks an English sentence uses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CJK = r"[\u4e00-\u9fff]"
# An ASCII mark touching a Chinese character: "名称:" "（ok）" "完成." and so on.
HALF_WIDTH_IN_CHINESE = re.compile(rf"{CJK}[,:;?!(]|[,;?!(]{CJK}|\){CJK}|{CJK}\.(?:\s|$)|{CJK}\)")
# Literal formats people type are quoted as they must be typed (CSV lines).
LITERAL = re.compile(r"日期,类型,名称")


def entries(language: str) -> list[tuple[str, list[str], bool]]:
    """(msgid, translations, fuzzy) of every entry in the language's catalogue."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n")[1:]:
        lines = block.strip().splitlines()
        if not lines or all(line.startswith("#~") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, strings, current = [], [], None
        for line in lines:
            if line.startswith("msgid "):
                current = msgid
            elif line.startswith("msgid_plural"):
                current = None
            elif line.startswith("msgstr"):
                strings.append([])
                current = strings[-1]
            if current is not None and '"' in line:
                current.append(line[line.index('"') + 1 : line.rindex('"')])
        found.append(("".join(msgid), ["".join(s) for s in strings], fuzzy))
    return found


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_string_is_translated(language):
    missing = [msgid for msgid, strings, fuzzy in entries(language) if fuzzy or not all(strings)]

    assert missing == []


def test_chinese_uses_full_width_punctuation():
    wrong = [
        (msgid, text)
        for msgid, strings, _fuzzy in entries("zh_Hans")
        for text in strings
        if HALF_WIDTH_IN_CHINESE.search(LITERAL.sub("", text))
    ]

    assert wrong == []
