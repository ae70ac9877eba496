"""A typed query, matched and ranked against the articles' stored words.

**Concepts.** The query is cut like stored text (``segment.tokens``, whole words only) and
each word becomes a *concept*: the word and its glossary partners as alternatives
("卡纸" asks for 卡纸 | paper jam), a code and its short hexadecimal form, the last word also
as a prefix (people type: "print" finds printer, "投影" 投影仪). Concepts are ORed: a
colloquial question ("电脑死机蓝屏了，一直重启进不去系统") never needs every one of its words
in the article, it needs the telling ones.

**Ranking** (BM25-like, computed by PostgreSQL; two queries):

1. How many articles hold each concept (``df``) and how many there are: a rare concept
   (an error code, 卡纸) weighs more than a common one (电脑) — BM25's ``idf``. Below
   ``EXACT_BELOW`` articles every concept is counted; above, a common word's share comes
   from PostgreSQL's statistics and only rare words are counted (``_counts``). A word held
   by no article, three characters or more, is looked for as a piece of text by the
   trigram index instead ("rinte", "0000007b").
2. The candidates: the articles the reader may see (and the filters) holding one of the
   rarest concepts, up to ``SELECT_SHARE`` of the articles, plus the ``NEWEST`` holding any
   (common concepts would select most of the base; they still count in the score); the
   best ``CANDIDATES`` of them by PostgreSQL's ``ts_rank``; each scored as the sum over
   concepts of ``weight × idf × match``, where ``match`` is where the concept stands
   (title 1, symptom/scenario/category 0.6, cause 0.35, steps 0.2) with a little more for
   repeats, saturating at 1. Archived articles count half. Ties: newer first.

The query names the concept's words in ``tsquery`` syntax directly (``'blue screen'`` is
one stored word; ``to_tsquery`` would cut it).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from knowledge.search import glossary
from knowledge.search.segment import (
    WEAK,
    code_words,
    is_cjk,
    normalize,
    tokens,
)

QUERY_MAX = 200  # characters a query may have
CONCEPTS_MAX = 12  # words of a query that count
CANDIDATES = 100  # articles scored per query (at least ``limit``)
SELECT_SHARE = 0.15  # the rarest concepts select candidates up to this share of the articles
SELECT_MIN = 100  # … or this many articles
NEWEST = 100  # and the newest articles holding any concept join them
EXACT_BELOW = 2000  # below this many articles every concept is counted
STATISTICS_TTL = 300.0  # seconds the word statistics are kept
FIELD_WEIGHTS = "{0.2,0.35,0.6,1.0}"  # D steps, C cause, B symptom, A title
MATCH_SCALE = 1.3  # one occurrence in the title: 0.79; two: ~1 (the cap)
CODE_WEIGHT = 2.0  # an error code or model number in the query is what the reader means
WEAK_WEIGHT = 0.3
SINGLE_WEIGHT = 0.5  # a lone Chinese character
PATTERN_MIN = 3  # characters of a word looked for as a piece of text
PATTERNS_MAX = 4
PATTERN_DF = 3  # a piece of text found counts as a word in this many articles
ARCHIVED_FACTOR = 0.5
PIECE_WEIGHT = 0.3  # a word of a term ("重启" of "一直重启") where articles hold the term


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Concept:
    """One word of the query with its alternatives (``words[0]`` as typed)."""

    words: tuple[str, ...]
    weight: float = 1.0
    prefix: bool = False
    pattern: str = ""  # ILIKE pattern for the trigram index ("" when too short)
    part_of: int = -1  # a piece of this concept (a term's word): counts where it is missing

    @property
    def tsquery(self) -> str:
        parts = [_quoted(w) for w in self.words]
        if self.prefix:
            parts[0] += ":*"
        return " | ".join(parts)


@dataclass(frozen=True)
class Parsed:
    text: str
    concepts: tuple[Concept, ...]
    highlights: tuple[str, ...]  # what to mark in snippets: the words and their partners

    @property
    def is_empty(self) -> bool:
        return not self.concepts


def parse(q: str, snapshot: glossary.Snapshot | None = None) -> Parsed:
    """The concepts of ``q`` (callers bound its length)."""
    snapshot = snapshot or glossary.current()
    text = normalize(q)
    found = tokens(text, snapshot.vocabulary, stored=False)
    # The last word is still being typed unless a space or punctuation follows it.
    open_end = bool(text) and text[-1].isalnum() and not q.endswith((" ", "\u3000"))
    concepts: list[Concept] = []
    seen: set[frozenset[str]] = set()
    highlights: dict[str, None] = {}
    parent = -1
    last_whole = max((i for i, t in enumerate(found) if not t.sub), default=-1)
    for index, token in enumerate(found):
        words = code_words(token.text)[:2] if token.kind == "code" else [token.text]
        if token.kind == "code" and not words[-1].startswith("0x"):
            words = words[:1]
        partners = snapshot.partners(token.text)
        alternatives = tuple(dict.fromkeys([*words, *partners]))
        key = frozenset(alternatives)
        if key in seen:
            continue
        seen.add(key)
        if not token.sub:
            parent = len(concepts)
        last = index == last_whole
        weight = 1.0
        if token.kind == "code":
            weight = CODE_WEIGHT
        elif token.text in WEAK:
            weight = WEAK_WEIGHT
        elif is_cjk(token.text) and len(token.text) == 1:
            weight = SINGLE_WEIGHT
        prefix = (
            last
            and open_end
            and token.kind in ("word", "term", "code")
            and len(token.text) >= 2
            and not token.text.isdigit()
        )
        pattern = ""
        if len(token.text) >= PATTERN_MIN and token.kind in ("word", "code"):
            pattern = f"%{_escaped(token.text)}%"
        concepts.append(
            Concept(
                alternatives,
                weight=weight,
                prefix=prefix and not token.sub,
                pattern=pattern,
                part_of=parent if token.sub else -1,
            )
        )
        for word in alternatives:
            highlights[word] = None
    return Parsed(text=text, concepts=tuple(concepts[:CONCEPTS_MAX]), highlights=tuple(highlights))


@dataclass(frozen=True)
class Scope:
    """Which articles may be returned: a SQL condition on ``a`` and its parameters."""

    where: str
    params: Sequence[Any]


@dataclass(frozen=True)
class Statistics:
    """PostgreSQL's statistics of the stored words (``pg_stats.most_common_elems``, kept by
    ANALYZE): the share of articles holding each common word, and the number of articles."""

    total: int = 0
    shares: Mapping[str, float] = field(default_factory=dict)
    floor: float = 0.0  # a word not listed is in fewer articles than this share

    def df(self, concept: Concept) -> int | None:
        """The articles holding ``concept`` as estimated, or ``None`` when none of its
        words is common enough to be listed (then it is counted: it is rare)."""
        # The largest share of its words: an article holding one word holds its glossary
        # partners too (they are stored with it), so the shares overlap, mostly.
        share = 0.0
        listed = False
        for number, word in enumerate(concept.words):
            if number == 0 and concept.prefix:
                found = [v for w, v in self.shares.items() if w.startswith(word)]
                listed = listed or bool(found)
                share = max(share, min(1.0, sum(found)))
            elif word in self.shares:
                listed = True
                share = max(share, self.shares[word])
        if not listed:
            return None
        return max(1, round(share * self.total))


_statistics_lock = threading.Lock()
_statistics: tuple[float, Statistics] | None = None


def statistics() -> Statistics:
    """The statistics, read at most every ``STATISTICS_TTL`` seconds (one query)."""
    global _statistics
    kept = _statistics
    if kept is not None and time.monotonic() - kept[0] < STATISTICS_TTL:
        return kept[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class AS c LEFT JOIN pg_stats AS s ON s.tablename = c.relname "
            "AND s.attname = 'search_vector' AND s.schemaname = current_schema() "
            "WHERE c.oid = 'knowledge_article'::regclass"
        )
        row = cursor.fetchone()
    total, words, shares = row or (0, None, None)
    found = Statistics()
    if words and shares and total and total > 0:
        found = Statistics(
            total=int(total),
            shares=dict(zip(words, shares[: len(words)], strict=True)),
            floor=float(shares[len(words)]) if len(shares) > len(words) else 0.0,
        )
    with _statistics_lock:
        _statistics = (time.monotonic(), found)
    return found


def forget_statistics() -> None:
    global _statistics
    with _statistics_lock:
        _statistics = None


def _counts(parsed: Parsed) -> tuple[int, list[int], list[bool]]:
    """One query: the number of articles, each concept's ``df``, and for each concept no
    article holds, whether its text occurs as a piece of some article's text.

    Below ``EXACT_BELOW`` articles (or before PostgreSQL has statistics) every concept is
    counted. Above, a common word's share comes from the statistics — counting it would
    read thousands of articles' vectors — and only the rare ones are counted (by the GIN
    index, a few hundred entries at most).
    """
    stats = statistics()
    estimated: list[int | None] = [None] * len(parsed.concepts)
    if stats.total >= EXACT_BELOW:
        estimated = [stats.df(c) for c in parsed.concepts]
        total_sql, total_params = "%s", [stats.total]
    else:
        total_sql, total_params = "(SELECT count(*) FROM knowledge_article)", []
    inner: list[str] = [f"{total_sql} AS n"]
    outer: list[str] = ["n"]
    params: list[Any] = [*total_params]
    for i, concept in enumerate(parsed.concepts):
        if estimated[i] is None:
            inner.append(
                "(SELECT count(*) FROM knowledge_article "  # noqa: S608 - constants only
                f"WHERE search_vector @@ %s::tsquery) AS d{i}"
            )
            params.append(concept.tsquery)
        else:
            inner.append(f"%s AS d{i}")
            params.append(estimated[i])
        outer.append(f"d{i}")
    pattern_params: list[Any] = []
    patterns = 0
    for i, concept in enumerate(parsed.concepts):
        if concept.pattern and patterns < PATTERNS_MAX and estimated[i] is None:
            patterns += 1
            # Evaluated only when no article holds the word (an InitPlan runs when needed).
            outer.append(
                f"CASE WHEN d{i} = 0 THEN (SELECT count(*) FROM knowledge_article "  # noqa: S608
                "WHERE search_text ILIKE %s) ELSE 0 END"
            )
            pattern_params.append(concept.pattern)
        else:
            outer.append("0")
    sql = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)}) AS s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*pattern_params, *params])  # the outer list comes first
        row = cursor.fetchone()
    total = int(row[0])
    k = len(parsed.concepts)
    dfs = [int(v) for v in row[1 : 1 + k]]
    pieces = [bool(v) for v in row[1 + k : 1 + 2 * k]]
    return total, dfs, pieces


def idf(total: int, df: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def ranked(parsed: Parsed, scope: Scope, *, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` articles in ``scope`` for ``parsed``: (id, score), best first."""
    total, dfs, pieces = _counts(parsed)
    if total <= 0:
        return []
    terms: list[tuple[Concept, int, float]] = []  # held by some article: df, weight × idf
    texts: list[tuple[Concept, float]] = []  # found as pieces of text only
    for concept, df, piece in zip(parsed.concepts, dfs, pieces, strict=True):
        weight = concept.weight
        if concept.part_of >= 0 and dfs[concept.part_of]:
            weight *= PIECE_WEIGHT  # the whole term is held: its pieces count a little
        if df:
            terms.append((concept, df, weight * idf(total, max(df, 1))))
        elif piece:
            texts.append((concept, concept.weight * idf(total, PATTERN_DF)))
    if not terms and not texts:
        return []
    # The rarest concepts select the candidates (the GIN index hands over their articles),
    # up to a budget of articles; the newest articles holding any concept join them.
    budget = max(SELECT_MIN, SELECT_SHARE * total)
    selecting: list[Concept] = []
    used = 0
    for concept, df, _weight in sorted(terms, key=lambda t: t[1]):
        if used + df > budget:
            break
        selecting.append(concept)
        used += df
    every = " | ".join(f"({c.tsquery})" for c, _df, _w in terms)

    # One subquery per selecting concept: PostgreSQL estimates each alone well enough to
    # read it from the GIN index (ORed together the estimate grows past a sequential scan,
    # which decompresses every article's vector).
    parts: list[str] = []
    part_params: list[Any] = []
    for concept in selecting:
        parts.append(
            f"(SELECT a.id FROM knowledge_article AS a WHERE ({scope.where}) "  # noqa: S608
            "AND a.search_vector @@ %s::tsquery)"
        )
        part_params.extend([*scope.params, concept.tsquery])
    for concept, _ in texts:
        parts.append(
            f"(SELECT a.id FROM knowledge_article AS a WHERE ({scope.where}) "  # noqa: S608
            "AND a.search_text ILIKE %s)"
        )
        part_params.extend([*scope.params, concept.pattern])
    if every and len(selecting) < len(terms):  # common concepts left out: the newest join
        parts.append(
            f"(SELECT a.id FROM knowledge_article AS a WHERE ({scope.where}) "  # noqa: S608
            "AND a.search_vector @@ %s::tsquery ORDER BY a.id DESC LIMIT %s)"
        )
        part_params.extend([*scope.params, every, NEWEST])

    score: list[str] = []
    score_params: list[Any] = []
    for concept, _df, weight in terms:
        score.append(f"%s * LEAST(1.0, ts_rank('{FIELD_WEIGHTS}', c.v, %s::tsquery, 0) * %s)")
        score_params.extend([weight, concept.tsquery, len(concept.words) * MATCH_SCALE])
    for concept, weight in texts:
        score.append(
            "%s * (CASE WHEN c.title ILIKE %s THEN 1.0 WHEN c.t ILIKE %s THEN 0.5 ELSE 0 END)"
        )
        score_params.extend([weight, concept.pattern, concept.pattern])
    cheap = f"ts_rank('{FIELD_WEIGHTS}', d.v, %s::tsquery, 0)" if every else "0"
    cheap_params = [every] if every else []
    sql = (
        # The candidates' ids first (an array: the planner must not rank every article to
        # meet them, and reads them by primary key), the best of them by the cheap rank,
        # then the score. ``d.v``: the vector decompressed once (``OFFSET 0`` keeps the
        # lateral subquery from being inlined), not once per concept.
        "SELECT c.id, COALESCE(("  # noqa: S608 - constants; the values are parameters
        + " + ".join(score)
        + ") * CASE WHEN c.status = 'archived' THEN %s ELSE 1.0 END, 0) AS score "
        "FROM (SELECT a.id, a.title, a.status, a.updated_at, d.v, a.search_text AS t "
        "FROM knowledge_article AS a "
        "CROSS JOIN LATERAL (SELECT a.search_vector || ''::tsvector AS v OFFSET 0) AS d "
        "WHERE a.id = ANY(ARRAY("
        + " UNION ".join(parts)
        + f")) ORDER BY {cheap} DESC, a.id DESC LIMIT %s) AS c "
        "ORDER BY score DESC, c.updated_at DESC, c.id DESC LIMIT %s"
    )
    params = [
        *score_params,
        ARCHIVED_FACTOR,
        *part_params,
        *cheap_params,
        max(CANDIDATES, limit),
        limit,
    ]
    # Index scans for this statement only. PostgreSQL prices testing ``@@`` on a row at
    # almost nothing, but each test decompresses the article's vector (toasted): for a
    # concept it estimates in more than ~1,000 articles it would scan all of them (50 ms
    # at 10,000 articles) where the GIN index hands over the few hundred (1 ms). One
    # round trip: SET LOCAL lasts until the statement after the SELECT puts it back (in
    # autocommit the three run as one implicit transaction).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL enable_seqscan = off; {sql}; SET LOCAL enable_seqscan = DEFAULT", params
        )
        cursor.nextset()
        return [(int(pk), float(value)) for pk, value in cursor.fetchall()]
