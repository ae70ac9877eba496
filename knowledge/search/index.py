"""The stored search columns of an article, written here only.

``search_vector``: a ``tsvector`` built word by word (not by PostgreSQL's parser, which does
not cut Chinese): each word of the article (``segment.tokens``), weighted by where it
stands — **A** the title, **B** the symptom, the scenarios (products, versions) and the
category's names, **C** the cause, **D** the steps — and, at the same weight, every
glossary partner of a whole word (an article that says 卡纸 also holds "paper jam", one
that says "blue screen" holds 蓝屏). Multi-word English terms are one word ("paper jam").
``search_text``: the article's text, normalised (lower case, NFKC, single spaces), for the
trigram index (pieces of words: "rinte", "0000007b").

``reindex`` rebuilds both from what the article holds now (two queries to read, one to
write, for any number of articles): after every save, in the writer's transaction, and
after a glossary edit for the articles that contain the term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from knowledge.models import Article
from knowledge.search import glossary
from knowledge.search.segment import Token, normalize, tokens

TEXT_CHARS = 40_000  # of an article's text indexed (fields are bounded well below)
POSITIONS_MAX = 16_383  # PostgreSQL's largest position in a tsvector
POSITIONS_PER_WORD = 16  # occurrences of one word kept (more do not change the rank)
_MARKDOWN = re.compile(r"\]\([^)\s]*\)|!\[|[`*_>#~|\[\]]")


def plain(markdown: str) -> str:
    """A step's text without Markdown punctuation."""
    return _MARKDOWN.sub(" ", markdown)


@dataclass(frozen=True)
class Source:
    """An article's text by weight."""

    title: str
    symptom: str
    cause: str
    steps: Sequence[str]
    scenarios: Sequence[str]
    category: Sequence[str]

    def by_weight(self) -> list[tuple[str, str]]:
        return [
            ("A", self.title),
            ("B", " \n ".join([self.symptom, *self.scenarios, *self.category])),
            ("C", self.cause),
            ("D", " \n ".join(plain(step) for step in self.steps)),
        ]

    def text(self) -> str:
        parts = [self.title, self.symptom, self.cause, *map(plain, self.steps), *self.scenarios]
        return normalize(" ".join(parts))[:TEXT_CHARS]


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(source: Source, snapshot: glossary.Snapshot) -> str:
    """The ``tsvector`` literal of ``source``: ``'打印机':1A,7B 'printer':2A …``."""
    positions: dict[str, list[str]] = {}
    position = 0

    def add(word: str, weight: str) -> None:
        nonlocal position
        position = min(position + 1, POSITIONS_MAX)
        kept = positions.setdefault(word, [])
        if len(kept) < POSITIONS_PER_WORD:
            kept.append(f"{position}{weight}")

    budget = TEXT_CHARS
    for weight, text in source.by_weight():
        piece = text[:budget]
        budget -= len(piece)
        found: list[Token] = tokens(piece, snapshot.vocabulary, stored=True)
        for token in found:
            add(token.text, weight)
            if not token.sub:
                for partner in snapshot.partners(token.text):
                    add(partner, weight)
    return " ".join(f"{_quoted(word)}:{','.join(at)}" for word, at in positions.items())


def _sources(ids: Sequence[int]) -> dict[int, Source]:
    """Two queries: the articles with their category, then their scenarios' names."""
    rows = Article.objects.filter(pk__in=ids).values_list(
        "id", "title", "symptom", "cause", "steps", "category__name", "category__name_en"
    )
    names: dict[int, list[str]] = {}
    for article_id, name in Article.scenarios.through.objects.filter(
        article_id__in=ids
    ).values_list("article_id", "scenario__name"):
        names.setdefault(article_id, []).append(name)
    return {
        pk: Source(
            title=title,
            symptom=symptom,
            cause=cause,
            steps=[str(s) for s in steps] if isinstance(steps, list) else [],
            scenarios=sorted(names.get(pk, [])),
            category=[c for c in (cat_zh, cat_en) if c],
        )
        for pk, title, symptom, cause, steps, cat_zh, cat_en in rows
    }


def reindex(article_ids: Iterable[int], *, snapshot: glossary.Snapshot | None = None) -> int:
    """Rebuild the search columns of these articles; how many were written.

    ``snapshot``: the glossary to expand with (a glossary edit passes the one it is about
    to commit); by default the current one.
    """
    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        return 0
    snapshot = snapshot or glossary.current()
    found = _sources(ids)
    if not found:
        return 0
    keys = list(found)
    vectors = [vector(found[pk], snapshot) for pk in keys]
    texts = [found[pk].text() for pk in keys]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE knowledge_article AS a SET search_vector = u.v::tsvector, "
            "search_text = u.t FROM unnest(%s::bigint[], %s::text[], %s::text[]) "
            "AS u(id, v, t) WHERE a.id = u.id",
            [keys, vectors, texts],
        )
    return len(keys)
