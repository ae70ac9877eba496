"""Words for an article's status on the knowledge pages.

The catalogue's "Reviewed" is the weekly problem review's (已复盘); an article that a tech
lead approved reads differently (已审核), so the pages say its status with a context of their
own. ``knowledge.choices.ArticleStatus`` keeps the values.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from knowledge.choices import ArticleStatus

STATUS_LABELS: dict[str, Promise] = {
    ArticleStatus.DRAFT: pgettext_lazy("article status", "Draft"),
    ArticleStatus.REVIEWED: pgettext_lazy("article status", "Reviewed"),
    ArticleStatus.PUBLISHED: pgettext_lazy("article status", "Published"),
    ArticleStatus.ARCHIVED: pgettext_lazy("article status", "Archived"),
}


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def status_choices(*values: str) -> list[tuple[str, Promise]]:
    return [(value, STATUS_LABELS[value]) for value in values or STATUS_LABELS]
