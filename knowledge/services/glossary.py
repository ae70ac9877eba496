"""The zh↔en glossary: adding, changing and deleting pairs (admins, in the Django admin).

Every change re-expands the articles it concerns: those whose text holds the old or the
new Chinese or English word get their search columns rebuilt with the glossary as it will
be once committed — up to ``REINDEX_INLINE`` of them in the same transaction, more by a
Celery task after the commit (``knowledge.tasks.reindex_articles``; inline after the
commit when the broker is unreachable). Once committed, every process's glossary snapshot
is replaced (``knowledge.search.glossary.changed``), so queries expand with the new pair.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.models import Article, GlossaryTerm
from knowledge.search import glossary, index
from knowledge.search.segment import normalize

log = logging.getLogger(__name__)

REINDEX_INLINE = 50  # articles re-expanded in the editor's transaction; more by a task
TERM_MAX = 100


def _clean(field: str, value: str) -> str:
    value = " ".join(str(value or "").split())
    if not value:
        raise ValidationError({field: _("Give the term.")})
    if len(value) > TERM_MAX:
        raise ValidationError({field: _("At most %(count)d characters.") % {"count": TERM_MAX}})
    if "\x00" in value:
        raise ValidationError({field: _("Null characters are not allowed.")})
    return value


def articles_with(words: Iterable[str]) -> list[int]:
    """Ids of the articles whose text holds any of ``words`` (trigram index)."""
    wanted = sorted({normalize(w) for w in words if normalize(w)})
    if not wanted:
        return []
    holds = Q()
    for word in wanted:
        holds |= Q(search_text__contains=word)
    return sorted(Article.objects.filter(holds).values_list("pk", flat=True))


def _refresh(words: Iterable[str]) -> None:
    """Re-expand the articles holding ``words``; swap every process's snapshot on commit."""
    ids = articles_with(words)
    if len(ids) <= REINDEX_INLINE:
        index.reindex(ids, snapshot=glossary.load())
        transaction.on_commit(glossary.changed)
        return
    transaction.on_commit(glossary.changed)
    transaction.on_commit(lambda: _reindex_later(ids))


def _reindex_later(ids: list[int]) -> None:
    from knowledge import tasks  # the task module imports this one

    try:
        tasks.reindex_articles.apply_async(args=(ids,), retry=False)
    except Exception:  # noqa: BLE001 - broker unreachable: do it here
        log.warning("broker unavailable; re-expanding %d articles inline", len(ids))
        tasks.reindex_in_batches(ids)


def _unique(zh: str, en: str, *, exclude: int | None = None) -> None:
    clash = GlossaryTerm.objects.filter(zh=zh, en=en)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"en": _("This pair is already in the glossary.")})


@transaction.atomic
def add_term(*, zh: str, en: str) -> GlossaryTerm:
    """A new pair; the articles holding either word are re-expanded."""
    zh, en = _clean("zh", zh), _clean("en", en)
    _unique(zh, en)
    term = GlossaryTerm.objects.create(zh=zh, en=en, updated_at=timezone.now())
    _refresh([zh, en])
    return term


@transaction.atomic
def change_term(term_id: int, *, zh: str, en: str) -> GlossaryTerm:
    """The pair with new words; articles holding the old or the new ones are re-expanded."""
    term = GlossaryTerm.objects.select_for_update().get(pk=term_id)
    zh, en = _clean("zh", zh), _clean("en", en)
    _unique(zh, en, exclude=term.pk)
    old = [term.zh, term.en]
    term.zh, term.en, term.updated_at = zh, en, timezone.now()
    term.save(update_fields=["zh", "en", "updated_at"])
    _refresh([*old, zh, en])
    return term


@transaction.atomic
def delete_terms(term_ids: Iterable[int]) -> int:
    """Remove pairs; the articles that held their words lose the expansion."""
    terms = list(GlossaryTerm.objects.select_for_update().filter(pk__in=list(term_ids)))
    if not terms:
        return 0
    GlossaryTerm.objects.filter(pk__in=[t.pk for t in terms]).delete()
    _refresh([w for t in terms for w in (t.zh, t.en)])
    return len(terms)
