"""Tickets and articles: "solved with" links (a use of the article) and a resolved ticket
turned into a draft article ("written from").

Each service is a straight line, in the tickets' order: atomic → lock the ticket row →
visible (else ``TicketNotFound``, 404) → permitted (``ActionForbidden``, 403) → allowed now
(``InvalidTransition``, 409) → validate (``ValidationError`` naming the field, 400) →
change → timeline entry. The ticket row is locked first, so two engineers linking the same
article to one ticket queue behind each other and the second is told it is linked already.

``Article.use_count`` counts the "solved with" links: it moves in the transaction that adds
or removes the link, by an ``UPDATE … SET use_count = use_count ± 1`` (no lost update).

Timeline entries are internal unless the article is published for everyone: a requester
never reads the title of a draft or a staff-only article on her ticket.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import capabilities
from knowledge.choices import ArticleStatus, Audience, KnowledgeEntry, LinkKind
from knowledge.models import Article, ArticleLink, Scenario
from knowledge.permissions import can_read
from knowledge.services.articles import create_article
from tickets.choices import TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.limits import max_length
from tickets.models import Category, Ticket
from tickets.services import base

# A ticket may be written up once it has a fix: resolved, verified or closed.
WRITE_UP_STATES = frozenset({TicketState.RESOLVED, TicketState.VERIFIED, TicketState.CLOSED})
STEPS_MAX = 50  # steps taken from a solution

# "1.", "1)", "1、", "(1)", "（1）", "①", "Step 1:", "第1步", "第一步", "- ", "* ", "• ".
_MARKER = re.compile(
    r"""^\s*(?:
        (?:step\s*)?[(（]?\d{1,3}\s*[.)、:：）](?!\d)\s*
      | [①-⑳]\s*
      | 第\s*[\d一二三四五六七八九十]{1,3}\s*步\s*[.、:：,，]?\s*
      | 步骤\s*[\d一二三四五六七八九十]{1,3}\s*[.、:：,，]?\s*
      | [-*•·]\s+
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# --- what a ticket offers an article -------------------------------------------------------


def split_steps(text: str) -> list[str]:
    """A solution as ordered steps: split at numbering ("1.", "2、", "第三步", "①", bullets)
    when it has any, a line that carries none continuing the step before it; otherwise one
    step per non-empty line. Markers are dropped (the article numbers its steps)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    numbered = sum(1 for line in lines if _MARKER.match(line) and _MARKER.sub("", line).strip())
    steps: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        marker = _MARKER.match(line)
        if numbered and not marker and steps:
            steps[-1] = f"{steps[-1]}\n{line.strip()}"
            continue
        step = _MARKER.sub("", line, count=1).strip() if marker else line.strip()
        if step:
            steps.append(step)
    return steps[:STEPS_MAX]


def scenarios_of(ticket: Ticket) -> list[str]:
    """Where the fix applies: the affected system as typed, the device's model (with its
    vendor unless the model already names it) and its OS or firmware version."""
    found = [ticket.affected_system.strip()]
    asset = ticket.asset
    if asset is not None:
        model = asset.model.strip()
        vendor = asset.vendor.strip()
        if model and vendor and not model.lower().startswith(vendor.lower()):
            model = f"{vendor} {model}"
        found += [model, asset.os_version.strip()]
    limit = max_length(Scenario, "name")
    return list(dict.fromkeys(name[:limit] for name in found if name))


def prefill(ticket: Ticket) -> dict[str, Any]:
    """The article a ticket suggests, for the engineer to review: title, symptom (what the
    requester wrote), cause (the diagnosis), steps (the solution), scenarios, category."""
    cause = ticket.root_cause.strip()
    if not cause and ticket.root_cause_type:
        cause = str(ticket.get_root_cause_type_display())
    return {
        "title": ticket.title,
        "symptom": ticket.description,
        "cause": cause,
        "steps": split_steps(ticket.solution),
        "scenarios": scenarios_of(ticket),
        "category": ticket.category,
        "audience": Audience.INTERNAL,
    }


# --- linking ------------------------------------------------------------------------------


def _may_write(actor: User) -> None:
    if not capabilities(actor).write_articles:
        raise ActionForbidden(_("Only engineers and tech leads link knowledge articles."))


def _article(value: Any, actor: User) -> Article:
    """The article ``value`` names, if ``actor`` may read it (else a 400 on ``article``)."""
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        pk = 0
    article = Article.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
    if article is None or not can_read(article, actor):
        raise ValidationError({"article": _("Choose an article from the list.")})
    return article


def _entry_data(article: Article) -> dict[str, Any]:
    return {"article": article.pk, "title": article.title}


def _is_internal(article: Article) -> bool:
    return not (article.audience == Audience.PUBLIC and article.status == ArticleStatus.PUBLISHED)


def link_article(ticket_id: int, *, actor: User, article: Any) -> ArticleLink:
    """An engineer records that ``article`` solved (or helped solve) the ticket: one use."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        _may_write(actor)
        found = _article(article, actor)
        if found.status == ArticleStatus.ARCHIVED:
            raise ValidationError(
                {"article": _("This article is archived; link the one that replaced it.")}
            )
        if ArticleLink.objects.filter(ticket=ticket, article=found).exists():
            raise InvalidTransition(_("This article is already linked to the ticket."))
        link = ArticleLink.objects.create(
            article=found,
            ticket=ticket,
            kind=LinkKind.SOLVED_WITH,
            linked_by=actor,
            linked_at=now,
        )
        Article.objects.filter(pk=found.pk).update(use_count=F("use_count") + 1)
        base.record(
            ticket,
            KnowledgeEntry.ARTICLE_LINKED,
            actor=actor,
            now=now,
            data=_entry_data(found),
            is_internal=_is_internal(found),
        )
    return link


def unlink_article(ticket_id: int, *, actor: User, article: Any) -> None:
    """Take back a "solved with" link (the use is no longer counted). The link to the
    article written from the ticket stays: it is the article's origin."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        _may_write(actor)
        found = _article(article, actor)
        deleted, _rows = ArticleLink.objects.filter(
            ticket=ticket, article=found, kind=LinkKind.SOLVED_WITH
        ).delete()
        if not deleted:
            raise InvalidTransition(_("This article is not linked to the ticket."))
        Article.objects.filter(pk=found.pk).update(use_count=Greatest(F("use_count") - 1, 0))
        base.record(
            ticket,
            KnowledgeEntry.ARTICLE_UNLINKED,
            actor=actor,
            now=now,
            data=_entry_data(found),
            is_internal=_is_internal(found),
        )


# --- turning a ticket into an article -------------------------------------------------------


def written_from(ticket: Ticket) -> Article | None:
    link = (
        ArticleLink.objects.filter(ticket=ticket, kind=LinkKind.CREATED_FROM)
        .select_related("article")
        .first()
    )
    return link.article if link else None


def check_write_up(ticket: Ticket, actor: User) -> None:
    """Why ``actor`` may not write this ticket up now (403 / 409), if so."""
    _may_write(actor)
    if ticket.state not in WRITE_UP_STATES or not ticket.solution.strip():
        raise InvalidTransition(
            _("Only a resolved ticket (resolved, verified or closed) can become an article.")
        )
    if ArticleLink.objects.filter(ticket=ticket, kind=LinkKind.CREATED_FROM).exists():
        raise InvalidTransition(_("This ticket has already been written up as an article."))


def write_up_ticket(
    ticket_id: int,
    *,
    actor: User,
    title: str,
    symptom: str,
    cause: str = "",
    steps: Sequence[str] = (),
    scenarios: Sequence[str] = (),
    category: Category | None = None,
    audience: str = Audience.INTERNAL,
) -> Article:
    """A draft article from a resolved ticket, as the engineer reviewed it: linked back
    (``source_ticket`` and a "written from" link) and noted on the ticket's timeline."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        check_write_up(ticket, actor)
        if not any(str(step).strip() for step in steps):
            raise ValidationError({"steps": _("Give at least one step.")})
        # The article's own rules (lengths, lists, the audience) are create_article's.
        article = create_article(
            by=actor,
            title=title,
            symptom=symptom,
            cause=cause,
            steps=steps,
            scenarios=scenarios,
            category=category,
            audience=audience,
            status=ArticleStatus.DRAFT,
            source_ticket=ticket,
            note=_("Written from ticket %(number)s") % {"number": ticket.number},
        )
        ArticleLink.objects.create(
            article=article,
            ticket=ticket,
            kind=LinkKind.CREATED_FROM,
            linked_by=actor,
            linked_at=now,
        )
        base.record(
            ticket,
            KnowledgeEntry.ARTICLE_CREATED,
            actor=actor,
            now=now,
            data=_entry_data(article),
            is_internal=True,
        )
    return article
