"""Every permission-scoped read of articles and scripts.

Staff (``read_internal_articles``) read every article; everyone else signed in reads only
**published public** ones — in lists, counts, tags, linked lists and single lookups alike
(an article they may not read is a 404, its existence not confirmed). The scripts library
is for ``use_scripts`` only. Lists join what their rows show and prefetch the scenarios,
so a page runs a fixed number of queries whatever it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from accounts.models import AnyUser
from accounts.permissions import capabilities
from knowledge.choices import ArticleStatus, Audience
from knowledge.errors import ArticleNotFound, ScriptNotFound
from knowledge.markdown import FileRef
from knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleFile,
    ArticleLink,
    ArticleRevision,
    Scenario,
    Script,
    ScriptDownload,
)
from tickets.models import Category
from tickets.selectors import categories_in_tree_order, tickets_visible_to

# Poorly rated: at least this many "not helpful", and no more "helpful" than those.
POORLY_RATED_MIN = 2
# How many rows each list of the review page shows, and the article page's lists.
REVIEW_LIMIT = 100
LINKED_LIMIT = 50
COMMENTS_LIMIT = 20
DOWNLOADS_LIMIT = 100
TAGS_LIMIT = 30


def reads_everything(user: AnyUser) -> bool:
    return bool(capabilities(user).read_internal_articles)


def articles_visible_to(user: AnyUser) -> QuerySet[Article]:
    if not user.is_authenticated or not user.is_active:
        return Article.objects.none()
    if reads_everything(user):
        return Article.objects.all()
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)


def _for_list(rows: QuerySet[Article]) -> QuerySet[Article]:
    return rows.select_related("category", "author", "reviewed_by").prefetch_related(
        Prefetch("scenarios", queryset=Scenario.objects.order_by("name"))
    )


def in_category(rows: QuerySet[Article], slug: str) -> QuerySet[Article]:
    """The category and its sub-categories."""
    return rows.filter(Q(category__slug=slug) | Q(category__parent__slug=slug))


def article_list_for(
    user: AnyUser,
    *,
    category: str = "",
    tag: str = "",
    status: str = "",
    audience: str = "",
    include_archived: bool = True,
) -> QuerySet[Article]:
    """Articles the user may read, newest change first, filtered; the filters only narrow
    what the user may read (a requester asking for drafts finds none)."""
    rows = articles_visible_to(user)
    if category:
        rows = in_category(rows, category)
    if tag:
        rows = rows.filter(scenarios__name__iexact=tag)
    if status:
        rows = rows.filter(status=status)
    elif not include_archived:
        rows = rows.exclude(status=ArticleStatus.ARCHIVED)
    if audience:
        rows = rows.filter(audience=audience)
    return _for_list(rows).order_by("-updated_at", "-pk")


def get_article_for(user: AnyUser, article_id: int | str) -> Article:
    try:
        pk = int(article_id)
    except (TypeError, ValueError):
        raise ArticleNotFound from None
    article = (
        _for_list(articles_visible_to(user))
        .select_related("source_ticket", "category__parent")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise ArticleNotFound
    return article


def files_of(article: Article) -> list[ArticleFile]:
    return list(ArticleFile.objects.filter(article=article).order_by("created_at", "pk"))


def file_url(article_id: int, file_id: int) -> str:
    return reverse("knowledge:article_file", kwargs={"article_id": article_id, "file_id": file_id})


def file_refs(files: Iterable[ArticleFile]) -> list[FileRef]:
    """The article's files as its text may name them (``file:<id>`` or ``file:<name>``)."""
    return [
        FileRef(
            pk=f.pk, name=f.original_name, url=file_url(f.article_id, f.pk), is_image=f.is_image
        )
        for f in files
    ]


def get_file_for(user: AnyUser, article_id: int, file_id: int) -> ArticleFile:
    article = get_article_for(user, article_id)
    found = ArticleFile.objects.filter(article=article, pk=file_id).first()
    if found is None:
        raise ArticleNotFound
    return found


def linked_tickets_for(user: AnyUser, article: Article) -> list[ArticleLink]:
    """The article's tickets the user may see (a requester: her own and followed ones),
    newest link first."""
    return list(
        ArticleLink.objects.filter(article=article, ticket__in=tickets_visible_to(user))
        .select_related("ticket", "linked_by")
        .order_by("-linked_at", "-pk")[:LINKED_LIMIT]
    )


def revisions_of(article: Article) -> QuerySet[ArticleRevision]:
    return ArticleRevision.objects.filter(article=article).select_related("edited_by")


def revision_pair(article: Article, old: int, new: int) -> tuple[ArticleRevision, ArticleRevision]:
    rows = {r.number: r for r in revisions_of(article).filter(number__in=[old, new])}
    if old not in rows or new not in rows:
        raise ArticleNotFound
    return rows[old], rows[new]


def feedback_of(user: AnyUser, article: Article) -> ArticleFeedback | None:
    if not user.is_authenticated:
        return None
    return ArticleFeedback.objects.filter(article=article, user_id=user.pk).first()


def comments_on(article: Article) -> list[ArticleFeedback]:
    """Readers' comments, newest first (staff read them; requesters never see others')."""
    return list(
        ArticleFeedback.objects.filter(article=article)
        .exclude(comment="")
        .select_related("user")
        .order_by("-created_at", "-pk")[:COMMENTS_LIMIT]
    )


@dataclass
class CategoryCount:
    category: Category
    count: int
    children: list[CategoryCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.count + sum(child.count for child in self.children)


def _counted(user: AnyUser, among: Sequence[int] | None) -> QuerySet[Article]:
    """What the side bar counts: the articles the user may read, archived ones left out —
    or, for a search, its hits (``among``: the ranked ids; those the user may read)."""
    rows = articles_visible_to(user)
    if among is None:
        return rows.exclude(status=ArticleStatus.ARCHIVED)
    # One array parameter: 200 ids as an IN list cost the ORM a millisecond per query.
    return rows.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (list(among),)))


def category_counts(
    user: AnyUser, *, among: Sequence[int] | None = None
) -> tuple[list[CategoryCount], dict[str, Category]]:
    """Active top-level categories with their sub-categories, each with how many articles
    the user may read (archived ones left out) or, with ``among``, how many of those hits;
    categories with none are dropped. Second: every active category by slug."""
    if among is not None and not among:
        counts: dict[int, int] = {}
    else:
        counts = dict(
            _counted(user, among)
            .filter(category__isnull=False)
            .order_by()
            .values_list("category")
            .annotate(n=Count("pk"))
            .values_list("category", "n")
        )
    tops: dict[int, CategoryCount] = {}
    by_slug: dict[str, Category] = {}
    for category in categories_in_tree_order():
        by_slug[category.slug] = category
        entry = CategoryCount(category, counts.get(category.pk, 0))
        if category.parent_id is None:
            tops[category.pk] = entry
        elif category.parent_id in tops and entry.count:
            tops[category.parent_id].children.append(entry)
    return [entry for entry in tops.values() if entry.total], by_slug


def popular_tags(
    user: AnyUser, *, among: Sequence[int] | None = None, limit: int = TAGS_LIMIT
) -> list[tuple[str, int]]:
    """The scenarios most articles the user may read apply to (archived ones left out), or
    with ``among`` most of those hits."""
    if among is not None and not among:
        return []
    visible = _counted(user, among)
    rows = (
        Scenario.objects.filter(articles__in=visible.values("pk"))
        .annotate(n=Count("articles"))
        .order_by("-n", "name")
        .values_list("name", "n")[:limit]
    )
    return list(rows)


# --- the review page ---------------------------------------------------------------------------


@dataclass
class ReviewQueue:
    drafts: list[Article]
    reviewed: list[Article]
    poorly_rated: list[Article]
    stale: list[Article]
    retired: list[Article]
    stale_days: int
    stale_before: dt.datetime

    @property
    def empty(self) -> bool:
        return not (self.drafts or self.reviewed or self.poorly_rated or self.stale or self.retired)


def stale_days() -> int:
    return int(settings.KNOWLEDGE_STALE_DAYS)


def review_queue(now: dt.datetime | None = None) -> ReviewQueue:
    """What tech leads look at: drafts to review, reviewed articles to publish, and the
    published ones to check again — poorly rated, unchanged for ``KNOWLEDGE_STALE_DAYS``,
    or applying to a scenario that is retired (no longer in use here)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = stale_days()
    before = now - dt.timedelta(days=days)
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)

    def rows(query: QuerySet[Article], *order: str) -> list[Article]:
        return list(_for_list(query).order_by(*order, "pk")[:REVIEW_LIMIT])

    retired_ids = Scenario.objects.filter(retired_at__isnull=False, retired_at__lte=today)
    return ReviewQueue(
        drafts=rows(Article.objects.filter(status=ArticleStatus.DRAFT), "updated_at"),
        reviewed=rows(Article.objects.filter(status=ArticleStatus.REVIEWED), "updated_at"),
        poorly_rated=rows(
            published.filter(
                unhelpful_count__gte=POORLY_RATED_MIN, helpful_count__lte=F("unhelpful_count")
            ),
            "-unhelpful_count",
        ),
        stale=rows(published.filter(updated_at__lt=before), "updated_at"),
        retired=rows(
            published.filter(pk__in=Article.objects.filter(scenarios__in=retired_ids).values("pk")),
            "updated_at",
        ),
        stale_days=days,
        stale_before=before,
    )


# --- scripts ---------------------------------------------------------------------------------


def scripts_visible_to(user: AnyUser) -> QuerySet[Script]:
    if not user.is_authenticated or not capabilities(user).use_scripts:
        return Script.objects.none()
    return Script.objects.all()


def script_list_for(
    user: AnyUser, *, q: str = "", kind: str = "", language: str = ""
) -> QuerySet[Script]:
    rows = scripts_visible_to(user).select_related("owner")
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(usage__icontains=q) | Q(platforms__contains=[q])
        )
    if kind:
        rows = rows.filter(kind=kind)
    if language:
        rows = rows.filter(language=language)
    return rows.order_by("name", "pk")


def get_script_for(user: AnyUser, script_id: int | str) -> Script:
    try:
        pk = int(script_id)
    except (TypeError, ValueError):
        raise ScriptNotFound from None
    script = scripts_visible_to(user).select_related("owner").filter(pk=pk).first()
    if script is None:
        raise ScriptNotFound
    return script


def downloads_of(script: Script, limit: int = DOWNLOADS_LIMIT) -> list[ScriptDownload]:
    return list(
        ScriptDownload.objects.filter(script=script)
        .select_related("user")
        .order_by("-downloaded_at", "-pk")[:limit]
    )
