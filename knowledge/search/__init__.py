"""Knowledge search: the functions the rest of the app calls.

* ``reindex(article_ids)``: rebuild the search columns of these articles (after every
  write, in the writer's transaction);
* ``search(user, q, *, category=None, tag=None, status=None, audience=None, limit=20)``:
  the articles ``user`` may read that match, best first, as ``Hit``; without ``q``, the
  articles of the filters, newest first;
* ``suggest(user, q, *, limit=5)``: published articles ``user`` may read, best first;
* ``rank(user, q, *, …, archived=True, limit=20)``: what ``search`` finds as a ``Ranking``,
  a sequence that loads the articles of the items asked for only (a page of 25 of 200 hits
  loads 25; ``len()`` asks nothing); ``archived=False`` leaves archived articles out.

``Hit.article`` comes with its category and scenarios loaded; ``Hit.snippet`` is safe HTML
(escaped text with ``<mark>`` around matched words). Requesters (and anyone without
``read_internal_articles``) only ever get published public articles, whatever the filters
ask. Queries: a search with words runs four (the words' frequencies, the ranked ids, the
articles with their categories, their scenarios), once the glossary snapshot of this
process is current (``glossary.current``: one more after an edit of the glossary).

How it works: ``segment`` (cutting Chinese, English, codes, glossary terms), ``glossary``
(the zh↔en snapshot), ``index`` (the stored columns), ``query`` (matching and ranking),
``snippets``. docs/architecture.md, "Knowledge search", has the overview.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString

from accounts.permissions import capabilities
from knowledge.choices import ArticleStatus, Audience
from knowledge.models import Article, Scenario
from knowledge.search import index, query, snippets
from knowledge.search.query import QUERY_MAX

if TYPE_CHECKING:
    from accounts.models import AnyUser

__all__ = ["QUERY_MAX", "SUGGEST_MAX", "Hit", "Ranking", "rank", "reindex", "search", "suggest"]

SUGGEST_MAX = 5


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: SafeString


def reindex(article_ids: Iterable[int]) -> None:
    """Rebuild the search columns of these articles from what they hold now."""
    index.reindex(article_ids)


@dataclass(frozen=True)
class _Filters:
    readers_all: bool
    category: str | None
    tag: str | None
    status: str | None
    audience: str | None
    archived: bool = True

    def scope(self) -> query.Scope:
        where: list[str] = []
        params: list[Any] = []
        if not self.readers_all:
            where.append("a.status = %s AND a.audience = %s")
            params.extend([ArticleStatus.PUBLISHED.value, Audience.PUBLIC.value])
        if self.category:
            where.append(
                "a.category_id IN (SELECT id FROM tickets_category WHERE slug = %s OR "
                "parent_id IN (SELECT id FROM tickets_category WHERE slug = %s))"
            )
            params.extend([self.category, self.category])
        if self.tag:
            through = Article.scenarios.through._meta.db_table
            where.append(
                f"EXISTS (SELECT 1 FROM {through} AS s JOIN knowledge_scenario AS sc "  # noqa: S608
                "ON sc.id = s.scenario_id WHERE s.article_id = a.id AND sc.name = %s)"
            )
            params.append(self.tag)
        if self.status:
            where.append("a.status = %s")
            params.append(self.status)
        if self.audience:
            where.append("a.audience = %s")
            params.append(self.audience)
        if not self.archived:
            where.append("a.status <> %s")
            params.append(ArticleStatus.ARCHIVED.value)
        return query.Scope(" AND ".join(where) or "TRUE", params)

    def rows(self) -> QuerySet[Article]:
        rows = Article.objects.all()
        if not self.readers_all:
            rows = rows.filter(status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)
        if self.category:
            rows = rows.filter(
                Q(category__slug=self.category) | Q(category__parent__slug=self.category)
            )
        if self.tag:
            rows = rows.filter(scenarios__name=self.tag)
        if self.status:
            rows = rows.filter(status=self.status)
        if self.audience:
            rows = rows.filter(audience=self.audience)
        if not self.archived:
            rows = rows.exclude(status=ArticleStatus.ARCHIVED)
        return rows


def _loaded(rows: QuerySet[Article]) -> list[Article]:
    """The articles of ``rows`` with their category (one query) and scenarios (one more),
    without the search columns (large, and nobody reading a hit needs them)."""
    articles = list(rows.select_related("category").defer("search_vector", "search_text"))
    _attach_scenarios(articles)
    return articles


def _attach_scenarios(articles: list[Article]) -> None:
    """``article.scenarios.all()`` answered from one query, as ``prefetch_related`` would,
    without its per-article queryset clone (a fifth of a millisecond each: 40 ms for the
    200 hits of a search page)."""
    through = Article.scenarios.through
    found: dict[int, list[Scenario]] = {a.pk: [] for a in articles}
    rows = (
        through.objects.filter(article_id__in=list(found))
        .select_related("scenario")
        .order_by("scenario__name")
    )
    for row in rows:
        found[row.article_id].append(row.scenario)
    done = _Scenarios(model=Scenario)
    done._result_cache = []  # copying must not run its query
    done._prefetch_done = True  # type: ignore[attr-defined]
    for article in articles:
        cached = copy.copy(done)  # shares the (never changed) query: no Query built
        cached._result_cache = found[article.pk]
        cached.article_id = article.pk
        article._prefetched_objects_cache = {"scenarios": cached}  # type: ignore[attr-defined]


class _Scenarios(QuerySet[Scenario]):
    """One article's scenarios, already loaded; a further query (``filter``, ``order_by``)
    asks the database for that article's, as after ``prefetch_related``."""

    article_id = 0

    def _chain(self) -> Any:
        return Scenario.objects.filter(articles=self.article_id).all()


class Ranking(Sequence[Hit]):
    """The best matches as (id, score), best first; an item or a slice loads those articles
    only (two queries: with their categories, their scenarios) and cuts their snippets, so
    a page of 25 of 200 hits loads and marks 25. An article gone meanwhile is left out."""

    def __init__(
        self, found: Sequence[tuple[int, float]] = (), marker: snippets.Marker | None = None
    ) -> None:
        self.found = list(found)
        self.marker = marker

    @property
    def ids(self) -> list[int]:
        return [pk for pk, _ in self.found]

    def __len__(self) -> int:
        return len(self.found)

    @overload
    def __getitem__(self, index: int) -> Hit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...

    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        if isinstance(index, slice):
            return self._hits(self.found[index])
        hits = self._hits([self.found[index]])
        if not hits:
            raise IndexError(index)
        return hits[0]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self._hits(self.found))

    def _hits(self, found: list[tuple[int, float]]) -> list[Hit]:
        if not found:
            return []
        articles = {
            a.pk: a for a in _loaded(Article.objects.filter(pk__in=[pk for pk, _ in found]))
        }
        return [
            Hit(articles[pk], round(score, 4), snippets.snippet(articles[pk], self.marker))
            for pk, score in found
            if pk in articles
        ]


def _filters(user: AnyUser, **chosen: Any) -> _Filters:
    return _Filters(
        readers_all=capabilities(user).read_internal_articles,
        category=chosen.get("category") or None,
        tag=chosen.get("tag") or None,
        status=chosen.get("status") or None,
        audience=chosen.get("audience") or None,
        archived=chosen.get("archived", True),
    )


def _ranking(filters: _Filters, q: str, text: str, limit: int) -> Ranking:
    """``text`` (``q`` cleaned, not empty) matched and ranked: two queries, no article loaded."""
    # A space typed after the last word says it is complete (no prefix match).
    parsed = query.parse(text + (" " if q[-1:].isspace() else ""))
    if parsed.is_empty:
        return Ranking()
    found = query.ranked(parsed, filters.scope(), limit=limit)
    return Ranking(found, snippets.marker(parsed.highlights) if found else None)


def search(
    user: AnyUser,
    q: str,
    *,
    category: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    audience: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The articles ``user`` may read matching ``q`` and the filters, best first."""
    if not user.is_authenticated or limit <= 0:
        return []
    filters = _filters(user, category=category, tag=tag, status=status, audience=audience)
    text = " ".join((q or "").split())[:QUERY_MAX]
    if not text:
        newest = _loaded(filters.rows().order_by("-updated_at", "-pk")[:limit])
        return [Hit(a, 0.0, snippets.snippet(a, None)) for a in newest]
    return list(_ranking(filters, q, text, limit))


def rank(
    user: AnyUser,
    q: str,
    *,
    category: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    audience: str | None = None,
    archived: bool = True,
    limit: int = 20,
) -> Ranking:
    """What ``search`` finds (``archived=False``: archived articles left out), as a
    ``Ranking`` whose articles are loaded when an item or slice of it is read."""
    if not user.is_authenticated or limit <= 0:
        return Ranking()
    filters = _filters(
        user, category=category, tag=tag, status=status, audience=audience, archived=archived
    )
    text = " ".join((q or "").split())[:QUERY_MAX]
    if not text:
        newest = filters.rows().order_by("-updated_at", "-pk").values_list("pk", flat=True)
        return Ranking([(pk, 0.0) for pk in newest[:limit]])
    return _ranking(filters, q, text, limit)


def suggest(user: AnyUser, q: str, *, limit: int = SUGGEST_MAX) -> list[Hit]:
    """Published articles ``user`` may read, best first, for a problem being typed."""
    if not " ".join((q or "").split()):
        return []
    return search(user, q, status=ArticleStatus.PUBLISHED, limit=limit)
