"""Readers' feedback on an article: helpful or not, with an optional comment.

One answer per reader and article, changeable: ``ArticleFeedback`` unique on (article,
user). ``Article.helpful_count`` and ``unhelpful_count`` are moved in the same transaction,
under the article's row lock, so two readers answering at once both count and a reader
who changes her mind moves one vote, never adds a second.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge import permissions
from knowledge.choices import ArticleStatus
from knowledge.errors import ArticleNotFound
from knowledge.models import Article, ArticleFeedback
from tickets.errors import InvalidTransition
from tickets.limits import max_length


def _comment(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationError({"comment": _("Give text.")})
    value = value.strip()
    limit = max_length(ArticleFeedback, "comment")
    if len(value) > limit:
        raise ValidationError({"comment": _("At most %(limit)s characters.") % {"limit": limit}})
    return str(value)


def _helpful(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({"helpful": _("Say whether the article helped.")})
    return value


@transaction.atomic
def give_feedback(
    article_id: int, *, by: User, helpful: bool, comment: str = ""
) -> tuple[ArticleFeedback, bool]:
    """Record (or change) ``by``'s answer on a published article they may read; the
    feedback row and whether it is the reader's first answer."""
    article = Article.objects.select_for_update(no_key=True).filter(pk=article_id).first()
    if article is None or not permissions.can_read(article, by):
        raise ArticleNotFound
    if article.status != ArticleStatus.PUBLISHED:
        raise InvalidTransition(_("Only published articles take feedback."))
    helpful = _helpful(helpful)
    comment = _comment(comment)
    now = timezone.now()
    existing = ArticleFeedback.objects.filter(article=article, user=by).first()
    if existing is None:
        row = ArticleFeedback.objects.create(
            article=article, user=by, helpful=helpful, comment=comment, created_at=now
        )
        counter = "helpful_count" if helpful else "unhelpful_count"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
        return row, True
    if existing.helpful != helpful:
        up, down = (
            ("helpful_count", "unhelpful_count")
            if helpful
            else ("unhelpful_count", "helpful_count")
        )
        # The old vote was counted under the same lock: its counter is at least 1.
        Article.objects.filter(pk=article.pk).update(**{up: F(up) + 1, down: F(down) - 1})
    existing.helpful, existing.comment, existing.created_at = helpful, comment, now
    existing.save(update_fields=["helpful", "comment", "created_at"])
    return existing, False
