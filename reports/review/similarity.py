"""Recurring faults: tickets of one category whose symptoms read alike, Chinese included.

Each ticket's title and the start of its description are cut into words by jieba (the
words the search stores, ``tickets.search.words`` in precise mode), with one-character
words and everyday filler ("一下", "无法", "问题" …) dropped. Title words count twice: a
title is the symptom in a few words, a description wanders. Words are weighted TF-IDF over
the tickets compared (a word every ticket has, like "打印机" among printer faults, weighs
little; "卡纸" weighs much), and two tickets are alike when the cosine of their vectors is
at least ``THRESHOLD``. Alike tickets of the same category join one group (single link:
A like B and B like C put A, B and C together); a group needs two tickets.

Pure: no database, no clock. Pairs are found through an inverted index with prefix
filtering (``group``), so a few thousand tickets take about a second.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from tickets.search import words

# Cosine similarity from which two tickets count as the same symptom. Printer jams worded
# three ways score 0.5–0.65 against each other, other printer faults under 0.25.
THRESHOLD = 0.4
# Characters of the description that count: its start says what is wrong.
DESCRIPTION_CHARS = 1_000
TITLE_WEIGHT = 2
# From this cosine on a ticket is a near duplicate of one already indexed (see ``group``).
NEAR_DUPLICATE = 0.8
FILLER = frozenset(
    " ".join(
        [
            "我们 你们 他们 她们 自己 一下 一直 今天 昨天 刚才 现在 还是 但是 可是 已经 没有",
            "可以 不能 无法 时候 问题 情况 一个 这个 那个 这样 那样 帮忙 麻烦 谢谢 非常 怎么",
            "什么 为什么 出现 突然 需要 总是 经常 一次 好像 感觉 还有 然后 之后 之前 所以 因为",
            "如果 或者 以及 请问 您好 你好 有点 一些 这些 那些 其他 正常 不了 不行 起来 应该 可能",
            "the and for with from that this have has not but are was were been can cannot could",
            "please when what why how there here after before into onto our your their its again",
            "my me we us in on at to is it of be do no so an as by or if up am i",
        ]
    ).split()
)


@dataclass(frozen=True)
class Doc:
    """A ticket as the grouping sees it: an id, the group it may join, its words' source."""

    id: int
    category: Hashable
    title: str
    description: str


# Where, not what: "三楼", "3层", "302室" say which floor, not which fault (the site and the
# device are compared apart).
PLACE = re.compile(r"^[\d一二三四五六七八九十两]+(楼|层|号|室)$")
_ENGLISH = re.compile(r"^[a-z]+$")


def _stem(word: str) -> str:
    """English words to a rough stem (asks, asking, asked → ask): enough for symptoms."""
    if not _ENGLISH.match(word) or len(word) <= 3:
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    return [
        w
        for w in words(text, for_search=False)
        if len(w) > 1 and w not in FILLER and not PLACE.match(w)
    ]


def tokens(text: str) -> list[str]:
    """The words compared: jieba's words without filler and places, English ones stemmed."""
    return [_stem(w) for w in _words(text)]


def _term_counts(doc: Doc) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in tokens(doc.title):
        counts[word] += TITLE_WEIGHT
    counts.update(tokens(doc.description[:DESCRIPTION_CHARS]))
    return counts


def vectors(docs: Sequence[Doc]) -> dict[int, dict[str, float]]:
    """Unit TF-IDF vectors, ``idf = ln((1 + N) / (1 + df)) + 1`` (smoothed, never zero)
    counted among the tickets of the same category: within printer faults "打印机" says
    nothing, "卡纸" says much, whatever the other categories hold."""
    counts = {doc.id: _term_counts(doc) for doc in docs}
    frequency: dict[Hashable, Counter[str]] = defaultdict(Counter)
    size: Counter[Hashable] = Counter()
    for doc in docs:
        frequency[doc.category].update(counts[doc.id].keys())
        size[doc.category] += 1
    result: dict[int, dict[str, float]] = {}
    for doc in docs:
        total, seen = size[doc.category], frequency[doc.category]
        weighted = {
            word: count * (math.log((1 + total) / (1 + seen[word])) + 1)
            for word, count in counts[doc.id].items()
        }
        norm = math.sqrt(sum(value * value for value in weighted.values()))
        result[doc.id] = {w: v / norm for w, v in weighted.items()} if norm else {}
    return result


def similar_pairs(
    docs: Sequence[Doc], vecs: dict[int, dict[str, float]], threshold: float = THRESHOLD
) -> list[tuple[int, int, float]]:
    """``(a, b, cosine)`` for every pair of the same category at or above ``threshold``,
    ``a < b``, by brute force over pairs sharing a word: the reference ``group`` is tested
    against (quadratic: for small sets only)."""
    found = []
    ordered = sorted(docs, key=lambda d: d.id)
    for i, x in enumerate(ordered):
        for y in ordered[i + 1 :]:
            if x.category == y.category:
                score = _dot(vecs[x.id], vecs[y.id])
                if score >= threshold:
                    found.append((x.id, y.id, score))
    return found


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def group(docs: Sequence[Doc], threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of two or more alike tickets of one category: ids ascending within a group,
    groups largest first (then by their first id), so the same tickets give the same list.

    Each ticket, in id order, is compared with the tickets before it that were indexed
    (an inverted index per category and word) and joins every one it is alike with (single
    link, union–find). Two bounds keep a busy month fast without missing a pair:

    * **prefix filtering** (Bayardo et al., "Scaling up all pairs similarity search"): a
      ticket's most common words are left out of the index while the most they could add to
      a cosine stays under the threshold, so two tickets at or above it always share an
      indexed word ("打印机" among printer faults is rarely indexed, "卡纸" always);
    * **near duplicates are not indexed**: a ticket at ``NEAR_DUPLICATE`` or more of one
      already indexed joins through it, so a hundred alike jams make one posting, not a
      hundred (a later ticket alike with such a duplicate is alike with its original too,
      all but always).
    """
    vecs = vectors(docs)
    parent = {doc.id: doc.id for doc in docs}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    frequency: dict[Hashable, Counter[str]] = defaultdict(Counter)
    heaviest: dict[tuple[Hashable, str], float] = defaultdict(float)
    for doc in docs:
        frequency[doc.category].update(vecs[doc.id].keys())
        for word, weight in vecs[doc.id].items():
            key = (doc.category, word)
            heaviest[key] = max(heaviest[key], weight)
    index: dict[tuple[Hashable, str], list[int]] = defaultdict(list)
    for doc in sorted(docs, key=lambda d: d.id):
        vector = vecs[doc.id]
        candidates = {other for word in vector for other in index.get((doc.category, word), ())}
        closest = 0.0
        for other in sorted(candidates):
            score = _dot(vector, vecs[other])
            if score >= threshold:
                closest = max(closest, score)
                ra, rb = root(doc.id), root(other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        if closest >= NEAR_DUPLICATE:
            continue
        seen = frequency[doc.category]
        bound = 0.0
        for word in sorted(vector, key=lambda w: (-seen[w], w)):
            bound += vector[word] * heaviest[(doc.category, word)]
            if bound >= threshold:
                index[(doc.category, word)].append(doc.id)
    members: dict[int, list[int]] = defaultdict(list)
    for doc in docs:
        members[root(doc.id)].append(doc.id)
    groups = [sorted(ids) for ids in members.values() if len(ids) >= 2]
    return sorted(groups, key=lambda ids: (-len(ids), ids[0]))


def keywords(docs: Iterable[Doc], limit: int = 3) -> list[str]:
    """The words most of a group's tickets share (at least half of them, and two), most
    shared first: what the group is about, in the tickets' own words."""
    docs = list(docs)
    seen: Counter[str] = Counter()
    first: dict[str, int] = {}
    for doc in docs:
        text = f"{doc.title} {doc.description[:DESCRIPTION_CHARS]}"
        for word in dict.fromkeys(_words(text)):  # as written, not stemmed
            seen[word] += 1
            first.setdefault(word, len(first))
    needed = max(2, math.ceil(len(docs) / 2))
    shared = [word for word, count in seen.items() if count >= needed]
    return sorted(shared, key=lambda word: (-seen[word], first[word]))[:limit]
