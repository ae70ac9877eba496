"""Words of knowledge text, as stored and as asked: Chinese, English, codes, glossary terms.

Text is normalised first (NFKC: full-width letters and digits become plain; lower case;
runs of white space as one space), then cut in three passes:

1. **Codes** (``0x0000007B``, ``13.B2.D1``, ``KB5034441``, ``M404dn``): a run of letters and
   digits, with inner dots, dashes or colons, that holds a digit. The code is one word,
   matched exactly, and its pieces are words too (``13``, ``b2``, ``d1``); a hexadecimal code
   also stands without its leading zeros (``0x7b``), as people type it.
2. **Glossary terms** (``Vocabulary``): the Chinese side of the glossary and the product
   names, longest first, wherever they occur ("打印机卡纸" is 打印机 + 卡纸 even where jieba
   would cut otherwise). This is the user dictionary, applied before jieba instead of
   being added to it: jieba's tokenizer is shared with the ticket search, whose stored
   vectors were cut without these words, and a term edited by an admin applies at once.
3. **The rest**: Chinese through jieba (``tickets.search.words``: its tokenizer, loaded
   once per process, thread-safe); English as words with a light plural stemmer
   (printers → printer, batteries → battery), English glossary phrases ("paper jam",
   "blue screen") found over the stemmed words as one word each.

Stored text keeps jieba's sub-words (``cut_for_search``: 打印机 also as 打印); a query is cut
precisely. Function words are dropped from both; a few words that are in almost every
question ("电脑", "问题", "系统") are weak in a query: they count, but little.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from tickets.search import words as jieba_words

WORD_MAX = 60  # a longer "word" is a blob (a hash, base64): not a word
PHRASE_WORDS = 5  # the longest English glossary phrase looked for, in words

_SPACE = re.compile(r"\s+")
# A code: letters/digits with inner . - : _ and at least one digit; or letters+digits mixed.
_CODE = re.compile(
    r"(?<![0-9a-z])[0-9a-z]+(?:[.\-:_][0-9a-z]+)+(?![0-9a-z])|(?<![0-9a-z])0x[0-9a-f]+"
)
_HEX = re.compile(r"0x0*([0-9a-f]+)")
_HAS_DIGIT = re.compile(r"\d")
_VOWEL = re.compile(r"[aeiou]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[0-9a-z]+")
_LATIN_CHAR = re.compile(r"[0-9a-z]")
_RUNS = re.compile(
    r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no meaning of their own in a question or an article.
ZH_STOP = _words(
    "的 了 吗 呢 吧 啊 呀 哦 嗯 么 我 我们 我的 你 你们 您 他 她 它 他们 这 那 这个 那个 这样 "
    "一直 总是 老是 经常 突然 怎么 怎么办 怎么回事 为什么 什么 如何 请问 请 帮忙 帮 帮我 "
    "一下 看看 还是 就 都 也 很 又 在 是 和 与 或 及 被 把 着 得 地 之 其 而 有点 好像 求助 "
    "急 麻烦 可以 能 会 要 想 就是 然后 现在 今天 刚才 早上 下午 一个 有 没 给 让 到 从 对 "
    "该 时 后 前 中 上 下 里 等 个 啥 咋 咋办 呢 嘛 已经 还 再 一 不了"
)
EN_STOP = _words(
    "a an the is are was were be been being am to of in on at for with by from as into "
    "my our your his her its their this that these those it i we you he she they me us him "
    "them and or but if then so do does did doing have has had having can could would "
    "should will shall may might must just now again still also very too please help how "
    "what why when where which who whom there here after before about up out off over get "
    "gets got keep keeps kept any some all no not cannot can't cant don't doesn't didn't "
    "won't isn't aren't wasn't"
)
# In a query they still count, but a fraction of a word.
WEAK = _words(
    "电脑 问题 系统 出现 显示 提示 无法 不能 故障 报错 错误 情况 公司 办公 使用 用 "
    "computer pc problem issue error system cannot unable show fail failed"
)
# Plural-looking words that are not plurals.
_NOT_PLURAL = _words(
    "windows teams ios macos os news series status always its was has is does yes this "
    "bus plus chaos canvas dns https alias bias lens analysis diagnosis access process "
    "address wireless express"
)


def normalize(text: str) -> str:
    """NFKC, lower case, single spaces."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def stem(word: str) -> str:
    """A light English stemmer, the same for stored text and queries (a stem need not be a
    word): printers → printer, batteries/battery → batteri, jammed/jams → jam,
    charging/charger → charg… Words it must not touch (Windows, Teams, status) stay."""
    if len(word) <= 3 or word in _NOT_PLURAL or not word.isalpha():
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "i"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for ending in ("ing", "ed"):
        base = word[: -len(ending)]
        if word.endswith(ending) and len(base) >= 3 and _VOWEL.search(base):
            word = base
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # jammed → jamm → jam
            break
    if word.endswith("y") and len(word) > 3 and _VOWEL.search(word[:-1]):
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def english_words(text: str) -> list[str]:
    """The stemmed English words of ``text`` (already normalised), stop words kept."""
    return [stem(w) for w in _LATIN_WORD.findall(text) if len(w) <= WORD_MAX]


def english_key(text: str) -> str:
    """An English term as the one word it is stored as: "Paper jams" → "paper jam"."""
    return " ".join(english_words(normalize(text)))


def chinese_key(text: str) -> str:
    return normalize(text)


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def code_words(code: str) -> list[str]:
    """A code and its pieces: ``13.b2.d1`` → 13.b2.d1, 13, b2, d1; ``0x0000007b`` → also 0x7b."""
    found = [code]
    hex_match = _HEX.fullmatch(code)
    if hex_match:
        found.append("0x" + hex_match.group(1))
    found.extend(p for p in _LATIN_WORD.findall(code) if p != code)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Vocabulary:
    """The words cut whole: Chinese glossary terms and product names (by first character,
    longest first), and English glossary phrases (by first word, longest first)."""

    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    phrases: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, terms: Iterable[str], phrases: Iterable[str]) -> Vocabulary:
        by_char: dict[str, set[str]] = {}
        for term in terms:
            if term:
                by_char.setdefault(term[0], set()).add(term)
        by_word: dict[str, set[tuple[str, ...]]] = {}
        for phrase in phrases:
            parts = tuple(phrase.split())
            if 1 < len(parts) <= PHRASE_WORDS:
                by_word.setdefault(parts[0], set()).add(parts)
        return cls(
            terms={c: tuple(sorted(t, key=lambda s: (-len(s), s))) for c, t in by_char.items()},
            phrases={w: tuple(sorted(p, key=lambda s: (-len(s), s))) for w, p in by_word.items()},
        )


@dataclass(frozen=True)
class Token:
    """One word of a text: ``kind`` is "code", "term" (a glossary or product word, whole),
    "phrase" (an English glossary phrase), "word"; ``sub`` marks a piece of a longer word
    (a code's pieces, jieba's sub-words, the words of a phrase or a term); a query looks
    for a term's or phrase's pieces only where no article holds it whole."""

    text: str
    kind: str
    sub: bool = False


def _latin_edge(text: str, start: int, end: int) -> bool:
    """A term found at [start, end) does not cut a Latin word in two."""
    if _LATIN_CHAR.match(text[start]) and start > 0 and _LATIN_CHAR.match(text[start - 1]):
        return False
    return not (
        _LATIN_CHAR.match(text[end - 1]) and end < len(text) and _LATIN_CHAR.match(text[end])
    )


def _terms(text: str, vocabulary: Vocabulary) -> Iterator[tuple[bool, str]]:
    """``text`` as (is_term, piece): the vocabulary's terms, longest first, and the rest."""
    start = 0
    i = 0
    n = len(text)
    while i < n:
        found = ""
        for term in vocabulary.terms.get(text[i], ()):
            end = i + len(term)
            if text.startswith(term, i) and _latin_edge(text, i, end):
                found = term
                break
        if found:
            if start < i:
                yield False, text[start:i]
            yield True, found
            i += len(found)
            start = i
        else:
            i += 1
    if start < n:
        yield False, text[start:]


def _english(text: str, vocabulary: Vocabulary, *, stored: bool) -> Iterator[Token]:
    items = english_words(text)
    i = 0
    while i < len(items):
        phrase: tuple[str, ...] = ()
        for candidate in vocabulary.phrases.get(items[i], ()):
            if tuple(items[i : i + len(candidate)]) == candidate:
                phrase = candidate
                break
        if phrase:
            yield Token(" ".join(phrase), "phrase")
            for part in phrase:
                if part not in EN_STOP:
                    yield Token(part, "word", sub=True)
            i += len(phrase)
            continue
        word = items[i]
        if word not in EN_STOP:
            yield Token(word, "code" if _HAS_DIGIT.search(word) and not word.isdigit() else "word")
        i += 1


def _chinese(text: str, *, stored: bool) -> Iterator[Token]:
    pieces = jieba_words(text, for_search=stored)
    whole = set(jieba_words(text, for_search=False)) if stored else set()
    for piece in pieces:
        if piece in ZH_STOP:
            continue
        yield Token(piece, "word", sub=stored and piece not in whole)


def _plain(text: str, vocabulary: Vocabulary, *, stored: bool) -> Iterator[Token]:
    for cjk, other in _RUNS.findall(text):
        if cjk:
            yield from _chinese(cjk, stored=stored)
        elif other.strip():
            yield from _english(other, vocabulary, stored=stored)


def tokens(text: str, vocabulary: Vocabulary, *, stored: bool) -> list[Token]:
    """The words of ``text`` in order. ``stored``: as kept in an article's vector (with the
    pieces of codes, phrases and words); otherwise as a query asks (whole words only)."""
    text = normalize(text)
    found: list[Token] = []
    last = 0
    for match in _CODE.finditer(text):
        code = match.group(0)
        if not _HAS_DIGIT.search(code):
            continue
        found.extend(_uncoded(text[last : match.start()], vocabulary, stored=stored))
        found.append(Token(code, "code"))
        if stored:
            found.extend(
                Token(p, "code" if p.startswith("0x") else "word", sub=True)
                for p in code_words(code)[1:]
            )
        last = match.end()
    found.extend(_uncoded(text[last:], vocabulary, stored=stored))
    return [t for t in found if t.text and len(t.text) <= WORD_MAX]


def _uncoded(text: str, vocabulary: Vocabulary, *, stored: bool) -> Iterator[Token]:
    for is_term, piece in _terms(text, vocabulary):
        if is_term:
            yield Token(piece, "term")
            if len(piece) > 2 or not _CJK.fullmatch(piece[0]):
                for sub in _plain(piece, vocabulary, stored=stored):
                    if sub.text != piece:
                        yield Token(sub.text, sub.kind, sub=True)
        else:
            yield from _plain(piece, vocabulary, stored=stored)
