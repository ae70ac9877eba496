"""The snippet of a hit: the stretch of the article's text with most of the query's words,
escaped, the words (and their glossary partners) in ``<mark>``.

Made in Python from the text already loaded (``ts_headline`` cuts with PostgreSQL's parser,
which does not know Chinese words, and reads the article's text again).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from knowledge.models import Article
from knowledge.search.index import plain
from knowledge.search.segment import is_cjk

SNIPPET_CHARS = 140
CONTEXT_BEFORE = 24  # characters shown before the first marked word
_SPACE = re.compile(r"\s+")
_BOUNDARY = re.compile(r"[\s，。；：、,.;:!?！？]+")
_HEX = re.compile(r"0x[0-9a-f]+")
SPANS_MAX = 60  # occurrences looked at in one text


class Marker:
    """Finds the words to mark in a text: lower-case substring search (no regular
    expression over the text: a search page makes 200 snippets). Latin words match at a
    word's start and run to its end ("printer" marks "printers"; the stem "batteri" marks
    "battery"); ``0x11b`` marks ``0x0000011b``; Chinese words and codes match as they are."""

    def __init__(self, words: Sequence[str]) -> None:
        plain_words: set[str] = set()
        latin: set[str] = set()
        hexes: list[re.Pattern[str]] = []
        several = len(words) > 1
        for word in {w.lower() for w in words if w}:
            if _HEX.fullmatch(word):
                hexes.append(re.compile(r"0x0*" + re.escape(word[2:].lstrip("0") or "0")))
            elif is_cjk(word) and len(word) == 1 and several:
                continue  # a lone character of a longer question would mark half the text
            elif is_cjk(word) or not word.replace(" ", "").isalpha():
                plain_words.add(word)
            else:
                latin.add(word[:-1] if word.endswith("i") and len(word) > 3 else word)
        self.plain = sorted(plain_words, key=len, reverse=True)
        self.latin = sorted(latin, key=len, reverse=True)
        self.hexes = hexes

    def __bool__(self) -> bool:
        return bool(self.plain or self.latin or self.hexes)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the words are in ``text``: (start, end), in order, not overlapping."""
        lower = text.lower()
        if len(lower) != len(text):  # a character whose lower case is longer: leave it
            return []
        found: list[tuple[int, int]] = []
        for word in self.plain:
            at = lower.find(word)
            while at >= 0 and len(found) < SPANS_MAX:
                found.append((at, at + len(word)))
                at = lower.find(word, at + len(word))
        for word in self.latin:
            at = lower.find(word)
            while at >= 0 and len(found) < SPANS_MAX:
                end = at + len(word)
                if at == 0 or not lower[at - 1].isalnum():
                    while end < len(lower) and lower[end].isalnum() and lower[end].isascii():
                        end += 1
                    found.append((at, end))
                at = lower.find(word, end)
        for pattern in self.hexes:
            found.extend(m.span() for m in pattern.finditer(lower))
        found.sort(key=lambda span: (span[0], -span[1]))
        kept: list[tuple[int, int]] = []
        for start, end in found:
            if not kept or start >= kept[-1][1]:
                kept.append((start, end))
        return kept


def marker(words: Sequence[str]) -> Marker:
    return Marker(words)


def _start(text: str, match: int) -> int:
    """Where a stretch showing a match at ``match`` begins: the text's start when it is
    near, else ``CONTEXT_BEFORE`` before, moved forward to the next word or sentence."""
    if match <= 2 * CONTEXT_BEFORE:
        return 0
    begin = match - CONTEXT_BEFORE
    boundary = _BOUNDARY.search(text, begin, match)
    return boundary.end() if boundary else begin


def text_of(article: Article) -> str:
    steps = [plain(str(s)) for s in article.steps] if isinstance(article.steps, list) else []
    return _SPACE.sub(" ", " ".join([article.symptom, article.cause, *steps])).strip()


def snippet(article: Article, words: Marker | None) -> SafeString:
    """The stretch of ``article``'s text showing most of the different marked words (its
    start without any), escaped, the words in ``<mark>``."""
    text = text_of(article)
    spans = words.spans(text) if words else []
    start = 0
    if spans:
        best = -1
        for first, _end in spans:
            begin = _start(text, first)
            seen = {
                text[a:b].lower() for a, b in spans if a >= begin and b <= begin + SNIPPET_CHARS
            }
            if len(seen) > best:
                best, start = len(seen), begin
    end = min(len(text), start + SNIPPET_CHARS)
    out: list[str] = ["…"] if start > 0 else []
    at = start
    for a, b in spans:
        if a < at or b > end:
            continue
        out.append(escape(text[at:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        at = b
    out.append(escape(text[at:end]))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text was escaped above
