"""What the knowledge app declares about permissions, and who may see or do what.

Declared here, merged by ``accounts.roles`` after every migrate:

* everyone signed in reads **published public** articles (pages, search, suggestions);
* staff (engineers, tech leads, managers, admins) read every article, internal ones and
  drafts included, and the scripts library (``read_internal_articles``, ``use_scripts``);
* engineers and tech leads write articles and scripts (``write_articles``);
* tech leads (and admins) review, publish and archive (``review_articles``); a tech lead
  may create an article directly as ``published``;
* admins edit the zh↔en glossary (``manage_glossary``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import capabilities
from accounts.roles import Role
from knowledge.choices import ArticleStatus, Audience

if TYPE_CHECKING:
    from accounts.models import AnyUser
    from knowledge.models import Article

_STAFF_READ = ["view_article", "view_script"]
_WRITE = ["add_article", "change_article", "add_script", "change_script"]

ROLE_GRANTS: dict[str, list[str]] = {
    Role.ENGINEER: [*_STAFF_READ, *_WRITE],
    Role.TECH_LEAD: [*_STAFF_READ, *_WRITE, "review_article"],
    Role.MANAGER: [*_STAFF_READ],
    Role.ADMIN: [
        *_STAFF_READ,
        *_WRITE,
        "review_article",
        "change_glossaryterm",
        "add_glossaryterm",
        "delete_glossaryterm",
    ],
}

# capability (what pages and services ask) -> permission codename of this app
CAPABILITIES = {
    "read_internal_articles": "view_article",
    "use_scripts": "view_script",
    "write_articles": "add_article",
    "review_articles": "review_article",
    "manage_glossary": "change_glossaryterm",
}


def can_read(article: Article, user: AnyUser) -> bool:
    """Staff read every article; everyone else only published public ones."""
    if capabilities(user).read_internal_articles:
        return True
    return (
        user.is_authenticated
        and article.audience == Audience.PUBLIC
        and article.status == ArticleStatus.PUBLISHED
    )


def can_edit(article: Article, user: AnyUser) -> bool:
    """Engineers and tech leads edit any article that is not archived (archived: reviewers)."""
    caps = capabilities(user)
    if article.status == ArticleStatus.ARCHIVED:
        return caps.review_articles
    return caps.write_articles


def can_review(user: AnyUser) -> bool:
    return capabilities(user).review_articles
