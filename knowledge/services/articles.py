"""Articles: create, edit and review; every save a revision.

Contract other features call:
* ``create_article(*, by, title, symptom, cause="", steps=(), scenarios=(), category=None,
  audience=Audience.INTERNAL, status=ArticleStatus.DRAFT, source_ticket=None, note="")``
  → ``Article`` (revision 1 written, search columns rebuilt);
* ``update_article(article, *, by, note="", **changes)`` → ``Article`` (a new revision);
* ``change_status(article_id, *, by, action, note="")`` and its named forms
  ``review_article``, ``publish_article``, ``confirm_article``, ``archive_article``,
  ``return_to_draft`` → ``Article`` (a new revision).

Who: engineers and tech leads write (``write_articles``; an archived article only
reviewers); tech leads review, publish, archive and send back to draft
(``review_articles``), and may create an article directly as reviewed or published. A
writer who is not a reviewer and changes a *reviewed* article's text sends it back to
draft (the review was of other words); a published article stays published, its audience
changed only by a reviewer (making an internal text public is a review decision).

Each write is a straight line: atomic → lock the article row → permitted (403) → allowed
in this status (409 for the status actions; a 400 naming ``status`` in an edit) →
validate (400 naming the field) → save → revision → search columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import capabilities
from knowledge import permissions, search
from knowledge.choices import ArticleStatus, Audience
from knowledge.errors import ArticleNotFound, KnowledgeForbidden
from knowledge.labels import status_label
from knowledge.models import Article, ArticleRevision, Scenario
from knowledge.services import clean
from tickets.errors import InvalidTransition
from tickets.limits import TEXT_MAX, max_length
from tickets.models import Category

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket

S = ArticleStatus
MAX_STEPS = 50
MAX_SCENARIOS = 30
EDITABLE = frozenset({"title", "symptom", "cause", "steps", "scenarios", "category", "audience"})

# action -> (the statuses it starts from, the status it ends in)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "review": (frozenset({S.DRAFT}), S.REVIEWED),
    "publish": (frozenset({S.DRAFT, S.REVIEWED}), S.PUBLISHED),
    # A published article checked again and found still right ("still valid").
    "confirm": (frozenset({S.PUBLISHED}), S.PUBLISHED),
    "archive": (frozenset({S.DRAFT, S.REVIEWED, S.PUBLISHED}), S.ARCHIVED),
    "draft": (frozenset({S.REVIEWED, S.PUBLISHED, S.ARCHIVED}), S.DRAFT),
}
# The status an edit may ask for, and the action that takes the article there.
ACTION_FOR_STATUS = {
    S.DRAFT: "draft",
    S.REVIEWED: "review",
    S.PUBLISHED: "publish",
    S.ARCHIVED: "archive",
}


def actions_from(status: str) -> list[str]:
    """The status actions a reviewer may take on an article in ``status``, in page order."""
    return [name for name, (sources, _end) in TRANSITIONS.items() if status in sources]


# --- input ---------------------------------------------------------------------------------


def clean_title(value: Any) -> str:
    title = clean.text("title", value, limit=max_length(Article, "title"), required=True)
    if "\n" in title or "\r" in title:
        raise ValidationError({"title": _("The title is one line.")})
    return title


def clean_steps(value: Any) -> list[str]:
    """Non-empty steps in their order, each Markdown text."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError({"steps": _("Give the steps as a list of texts.")})
    steps = [clean.text("steps", step, limit=TEXT_MAX) for step in value]
    steps = [step for step in steps if step]
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": _("At most %(count)d steps.") % {"count": MAX_STEPS}})
    return steps


def clean_scenarios(value: Any) -> list[str]:
    """Scenario names, trimmed, each once (letter case ignored), in the given order."""
    return clean.names(
        "scenarios",
        value,
        limit=max_length(Scenario, "name"),
        most=MAX_SCENARIOS,
        not_a_list=_("Give the scenarios as a list of names."),
        too_many=_("At most %(count)d scenarios."),
    )


def _category(value: Any) -> Category | None:
    if value is None or isinstance(value, Category):
        return value
    raise ValidationError({"category": _("Choose a category.")})


def _scenario_rows(names: Sequence[str]) -> list[Scenario]:
    """The scenarios named, an existing one reused whatever its letter case: one query to
    find them, one insert for the new ones (and one to read those back)."""
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    existing: dict[str, Scenario] = {}
    for scenario in Scenario.objects.filter(query).order_by("pk"):
        existing.setdefault(scenario.name.casefold(), scenario)
    missing = [name for name in names if name.casefold() not in existing]
    if missing:
        Scenario.objects.bulk_create([Scenario(name=n) for n in missing], ignore_conflicts=True)
        for scenario in Scenario.objects.filter(name__in=missing):
            existing.setdefault(scenario.name.casefold(), scenario)
    return [existing[name.casefold()] for name in names]


# --- writes --------------------------------------------------------------------------------


def _revise(article: Article, *, by: User, note: str) -> None:
    article.revision += 1
    Article.objects.filter(pk=article.pk).update(revision=article.revision)
    ArticleRevision.objects.create(
        article=article,
        number=article.revision,
        title=article.title,
        symptom=article.symptom,
        cause=article.cause,
        steps=list(article.steps),
        scenarios=[s.name for s in article.scenarios.all()],
        category_slug=article.category.slug if article.category else "",
        audience=article.audience,
        status=article.status,
        edited_by=by,
        edited_at=article.updated_at,
        note=note,
    )
    search.reindex([article.pk])


def _lock(article_id: int) -> Article:
    article = (
        Article.objects.select_for_update(no_key=True, of=("self",))
        .select_related("category")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise ArticleNotFound
    return article


@transaction.atomic
def create_article(
    *,
    by: User,
    title: str,
    symptom: str,
    cause: str = "",
    steps: Sequence[str] = (),
    scenarios: Iterable[str] = (),
    category: Category | None = None,
    audience: str = Audience.INTERNAL,
    status: str = ArticleStatus.DRAFT,
    source_ticket: Ticket | None = None,
    note: str = "",
) -> Article:
    """A new article, revision 1. Writers create drafts; reviewers may create it reviewed
    or published (they are then its reviewer). Nobody creates an archived article."""
    caps = capabilities(by)
    if not caps.write_articles:
        raise KnowledgeForbidden(_("Only engineers and tech leads write articles."))
    status = clean.choice("status", status, ArticleStatus)
    if status == S.ARCHIVED:
        raise ValidationError({"status": _("A new article cannot be archived.")})
    if status != S.DRAFT and not caps.review_articles:
        raise ValidationError(
            {"status": _("Only tech leads review and publish articles: save it as a draft.")}
        )
    fields = {
        "title": clean_title(title),
        "symptom": clean.text("symptom", symptom, limit=TEXT_MAX, required=True),
        "cause": clean.text("cause", cause, limit=TEXT_MAX),
        "steps": clean_steps(steps),
        "category": _category(category),
        "audience": clean.choice("audience", audience, Audience),
    }
    names = clean_scenarios(scenarios)
    note = clean.text("note", note, limit=max_length(ArticleRevision, "note"))
    now = timezone.now()
    reviewed = status in (S.REVIEWED, S.PUBLISHED)
    article = Article.objects.create(
        **fields,
        status=status,
        author=by,
        source_ticket=source_ticket,
        created_at=now,
        updated_at=now,
        reviewed_by=by if reviewed else None,
        reviewed_at=now if reviewed else None,
        published_at=now if status == S.PUBLISHED else None,
    )
    article.scenarios.set(_scenario_rows(names))
    _revise(article, by=by, note=note)
    return article


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - EDITABLE - {"status"}
    if unknown:
        raise TypeError(f"update_article() cannot change {sorted(unknown)}")
    cleaners: dict[str, Callable[[Any], Any]] = {
        "title": clean_title,
        "symptom": lambda v: clean.text("symptom", v, limit=TEXT_MAX, required=True),
        "cause": lambda v: clean.text("cause", v, limit=TEXT_MAX),
        "steps": clean_steps,
        "scenarios": clean_scenarios,
        "category": _category,
        "audience": lambda v: clean.choice("audience", v, Audience),
        "status": lambda v: clean.choice("status", v, ArticleStatus),
    }
    return {name: cleaners[name](value) for name, value in changes.items()}


def _current(article: Article, name: str) -> Any:
    if name == "scenarios":
        return [s.name for s in article.scenarios.all()]
    return getattr(article, name)


def _apply_status(article: Article, action: str, *, by: User, now: Any) -> None:
    _sources, end = TRANSITIONS[action]
    article.status = end
    if end in (S.REVIEWED, S.PUBLISHED):
        article.reviewed_by, article.reviewed_at = by, now
    if action == "publish":
        article.published_at = now


@transaction.atomic
def update_article(article: Article, *, by: User, note: str = "", **changes: Any) -> Article:
    """Change the fields named in ``changes`` (``title``, ``symptom``, ``cause``, ``steps``,
    ``scenarios``, ``category``, ``audience``, ``status``); one new revision, none when
    nothing changed. ``status`` moves as the review actions do (reviewers only)."""
    locked = _lock(article.pk)
    if not permissions.can_edit(locked, by):
        raise KnowledgeForbidden(_("You may not edit this article."))
    cleaned = _clean_changes(changes)
    note = clean.text("note", note, limit=max_length(ArticleRevision, "note"))
    changed = {name: v for name, v in cleaned.items() if _current(locked, name) != v}
    if not changed:
        return locked
    reviewer = capabilities(by).review_articles
    target = changed.pop("status", None)
    if target is not None:
        if not reviewer:
            raise ValidationError(
                {"status": _("Only tech leads review, publish or archive articles.")}
            )
        action = ACTION_FOR_STATUS[target]
        if locked.status not in TRANSITIONS[action][0]:
            raise ValidationError(
                {
                    "status": _("A %(current)s article cannot become %(target)s.")
                    % {"current": status_label(locked.status), "target": status_label(target)}
                }
            )
    if "audience" in changed and locked.status == S.PUBLISHED and not reviewer:
        raise ValidationError(
            {"audience": _("Only tech leads change who may read a published article.")}
        )
    now = timezone.now()
    names = changed.pop("scenarios", None)
    for name, value in changed.items():
        setattr(locked, name, value)
    if target is not None:
        _apply_status(locked, ACTION_FOR_STATUS[target], by=by, now=now)
    elif locked.status == S.REVIEWED and not reviewer and (names is not None or changed):
        # Reviewed words changed by a writer: the review no longer holds.
        locked.status = S.DRAFT
    locked.updated_at = now
    locked.save()
    if names is not None:
        locked.scenarios.set(_scenario_rows(names))
    _revise(locked, by=by, note=note)
    _copy(locked, article)
    return locked


def _copy(source: Article, target: Article) -> None:
    """The caller's instance shows what was saved (callers keep using theirs)."""
    if source is target:
        return
    for field in Article._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@transaction.atomic
def change_status(article_id: int, *, by: User, action: str, note: str = "") -> Article:
    """A review action (``review``, ``publish``, ``confirm``, ``archive``, ``draft``) by a
    reviewer: 403 for anyone else, 409 when the article's status does not allow it."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("Unknown action.")})
    article = _lock(article_id)
    if not permissions.can_read(article, by):
        raise ArticleNotFound
    if not permissions.can_review(by):
        raise KnowledgeForbidden(_("Only tech leads review, publish or archive articles."))
    sources, _end = TRANSITIONS[action]
    if article.status not in sources:
        raise InvalidTransition(
            _("Not possible while the article is %(status)s.")
            % {"status": status_label(article.status)}
        )
    note = clean.text("note", note, limit=max_length(ArticleRevision, "note"))
    now = timezone.now()
    _apply_status(article, action, by=by, now=now)
    article.updated_at = now
    article.save()
    _revise(article, by=by, note=note)
    return article


def review_article(article_id: int, *, by: User, note: str = "") -> Article:
    return change_status(article_id, by=by, action="review", note=note)


def publish_article(article_id: int, *, by: User, note: str = "") -> Article:
    return change_status(article_id, by=by, action="publish", note=note)


def confirm_article(article_id: int, *, by: User, note: str = "") -> Article:
    return change_status(article_id, by=by, action="confirm", note=note)


def archive_article(article_id: int, *, by: User, note: str = "") -> Article:
    return change_status(article_id, by=by, action="archive", note=note)


def return_to_draft(article_id: int, *, by: User, note: str = "") -> Article:
    return change_status(article_id, by=by, action="draft", note=note)
