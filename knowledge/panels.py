"""The knowledge base in the engineer's work view (``tickets.hooks`` panel, place ``work``).

For staff who read internal articles: the articles linked to the ticket ("solved with",
each with unlink, and the one written from it), up to ``SUGGESTED`` articles suggested from
the ticket's title and description (searched as the viewer, those already linked left
out) with "link", "turn into article" once the ticket has a fix, and up to ``SIMILAR``
similar resolved tickets the viewer may see (their site scope), ranked by text similarity.

The context runs a fixed number of queries whatever the ticket's history: the links (one,
with their articles) and the suggestion search's own. The similar tickets (one query, but
a full-text ranking over every ticket: ~25 ms at a million) load after the page, through
htmx (``knowledge.views.ticket.similar``), so the work view never waits for them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F

from accounts.models import User
from accounts.permissions import capabilities
from knowledge import search
from knowledge.choices import LinkKind
from knowledge.models import ArticleLink
from knowledge.search.segment import EN_STOP, WEAK, ZH_STOP
from knowledge.services.links import WRITE_UP_STATES
from tickets.choices import ClosedAs
from tickets.models import Ticket
from tickets.search import words
from tickets.selectors import tickets_visible_to

WORK_PANEL = "knowledge_work"
SUGGESTED = 5
SIMILAR = 5
# The newest matching tickets ranked for similarity (a common word matches thousands).
SIMILAR_CANDIDATES = 300
SIMILAR_WORDS = 12  # words of the ticket's text asked for
QUERY_CHARS = 400  # of the description, for both searches
# Words that say nothing about a fault on their own (the knowledge search's lists): asked,
# they would make every ticket "similar".
_NOT_ASKED = ZH_STOP | EN_STOP | WEAK


def ticket_text(ticket: Ticket) -> str:
    """What the ticket is about, for both searches: its title and the description's start."""
    return f"{ticket.title}\n{ticket.description[:QUERY_CHARS]}".strip()


def _asked(text: str) -> list[str]:
    """The words of ``text`` worth asking for, each once, in order."""
    found = dict.fromkeys(words(text, for_search=False))
    return [w for w in found if len(w) > 1 and w not in _NOT_ASKED][:SIMILAR_WORDS]


def _any_of(asked: list[str]) -> SearchQuery:
    return SearchQuery(" | ".join(f"'{w}'" for w in asked), search_type="raw", config="simple")


def similar_tickets(ticket: Ticket, user: User, *, limit: int = SIMILAR) -> list[Ticket]:
    """Resolved, verified or closed tickets (not cancelled or duplicates) the viewer may
    see, that share a word of this one's title, ranked by all the words they share (title
    words weigh most): one query.

    Sharing a title word is what makes a ticket a candidate: a description's words alone
    ("every morning", "finance") match far too much. The newest ``SIMILAR_CANDIDATES``
    candidates are ranked, as ``tickets.search`` bounds its ranking."""
    everything = _asked(ticket_text(ticket))
    title = _asked(ticket.title) or everything
    if not title:
        return []
    candidates = (
        tickets_visible_to(user)
        .filter(state__in=WRITE_UP_STATES, search_document=_any_of(title))
        .exclude(pk=ticket.pk)
        .exclude(closed_as__in=[ClosedAs.CANCELLED, ClosedAs.DUPLICATE])
        .order_by("-submitted_at")
        .values("pk")[:SIMILAR_CANDIDATES]
    )
    return list(
        Ticket.objects.filter(pk__in=candidates)
        .annotate(similarity=SearchRank(F("search_document"), _any_of(everything)))
        .order_by("-similarity", "-submitted_at", "-pk")
        .only("pk", "number", "title", "state", "closed_as", "solution", "resolved_at")[:limit]
    )


def work_panel(ticket: Ticket, user: User) -> dict[str, Any] | None:
    caps = capabilities(user)
    if not caps.read_internal_articles:
        return None
    links = list(
        ArticleLink.objects.filter(ticket=ticket).select_related("article").order_by("linked_at")
    )
    linked = {link.article_id for link in links}
    origin = next((link.article for link in links if link.kind == LinkKind.CREATED_FROM), None)
    hits = search.suggest(
        user, ticket_text(ticket), limit=min(SUGGESTED + len(linked), 4 * SUGGESTED)
    )
    return {
        "solved_with": [link for link in links if link.kind == LinkKind.SOLVED_WITH],
        "written_up_as": origin,
        "suggested": [hit for hit in hits if hit.article.pk not in linked][:SUGGESTED],
        "may_link": caps.write_articles,
        "may_write_up": (
            caps.write_articles
            and origin is None
            and ticket.state in WRITE_UP_STATES
            and bool(ticket.solution.strip())
        ),
    }
