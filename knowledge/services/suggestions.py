"""Suggestions while filing (deflection): what the new-ticket form was shown, whether an
article solved the problem, or whether a ticket was filed anyway.

One ``SuggestionSession`` per form: the form carries a token (a UUID in a hidden field,
``TOKEN_FIELD``) and every suggestion request names it, so a person typing for two minutes
is one row however often the form asks. A token belongs to the person whose first request
named it; anyone else's request with that token records nothing.

* ``record_shown`` — the ids shown, added to those shown before (first shown first);
* ``accept`` — "this solved my problem": the form is left without a ticket;
* ``on_filed`` — the form was filed anyway (``tickets.hooks.filed``): the ticket is noted;
* ``deflection`` — the numbers for a period, for the deflection page (and any report).

A session is *deflected* when an article was accepted and no ticket was filed from the
form; the rate is deflected sessions over sessions that were shown at least one article.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge.models import Article, SuggestionSession
from knowledge.permissions import can_read
from tickets.errors import InvalidTransition
from tickets.models import Ticket

# The hidden field of the new-ticket form that carries the session's token.
TOKEN_FIELD = "suggest_token"  # noqa: S105 - a field name, not a secret
# Ids kept per session: far more than anyone reads, small enough for one row.
SHOWN_MAX = 200


def parse_token(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value or "").strip())
    except ValueError:
        return None


def _locked(token: uuid.UUID, user: User, now: dt.datetime) -> SuggestionSession | None:
    """The form's session, created on its first request and locked for this transaction;
    ``None`` when the token is someone else's. ``ON CONFLICT DO NOTHING`` lets two requests
    of one form race to create it: both then lock the one row."""
    SuggestionSession.objects.bulk_create(
        [SuggestionSession(token=token, user=user, started_at=now)], ignore_conflicts=True
    )
    found = SuggestionSession.objects.select_for_update(no_key=True).get(token=token)
    return found if found.user_id == user.pk else None


def record_shown(
    user: User, token: uuid.UUID, query: str, article_ids: Iterable[int]
) -> SuggestionSession | None:
    """The articles this form has just shown (and the words that found them)."""
    now = timezone.now()
    limit = SuggestionSession._meta.get_field("last_query").max_length or 500
    with transaction.atomic():
        found = _locked(token, user, now)
        if found is None:
            return None
        shown = list(found.shown)
        shown += [pk for pk in dict.fromkeys(article_ids) if pk not in shown]
        found.shown = shown[:SHOWN_MAX]
        found.last_query = query[:limit]
        found.save(update_fields=["shown", "last_query"])
    return found


def accept(user: User, token: Any, article: Any) -> SuggestionSession:
    """The person says "this solved my problem": the form ends without a ticket. The
    article must be one this form showed that they may still read (else 400 on ``article``)."""
    parsed = parse_token(token)
    if parsed is None:
        raise ValidationError({TOKEN_FIELD: _("This form has expired; open it again.")})
    try:
        article_id = int(str(article).strip())
    except (TypeError, ValueError):
        article_id = 0
    now = timezone.now()
    with transaction.atomic():
        found = (
            SuggestionSession.objects.select_for_update(no_key=True)
            .filter(token=parsed, user=user)
            .first()
        )
        if found is None or article_id not in found.shown:
            raise ValidationError({"article": _("Choose one of the articles shown.")})
        chosen = Article.objects.filter(pk=article_id).first()
        if chosen is None or not can_read(chosen, user):
            raise ValidationError({"article": _("Choose one of the articles shown.")})
        if found.ticket_id is not None:
            raise InvalidTransition(_("A ticket has already been filed from this form."))
        found.accepted_article = chosen
        found.accepted_at = now
        found.save(update_fields=["accepted_article", "accepted_at"])
    return found


def on_filed(
    sender: type[Ticket], *, ticket: Ticket, actor: User, data: Mapping[str, Any], **kwargs: Any
) -> None:
    """``tickets.hooks.filed``: the form that showed suggestions was filed anyway."""
    token = parse_token(data.get(TOKEN_FIELD))
    if token is not None:
        SuggestionSession.objects.filter(token=token, user=actor, ticket__isnull=True).update(
            ticket=ticket
        )


# --- the numbers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deflection:
    """Suggestion sessions started in [start, end): how many asked, were shown something,
    ended with an article and no ticket (deflected), filed a ticket anyway."""

    start: dt.datetime
    end: dt.datetime
    asked: int
    shown: int
    deflected: int
    filed: int

    @property
    def nothing_found(self) -> int:
        return self.asked - self.shown

    @property
    def left(self) -> int:
        """Shown suggestions, then neither accepted one nor filed (the form was left)."""
        return self.shown - self.deflected - self.filed

    @property
    def rate(self) -> float | None:
        """Deflected over shown, ``None`` when nothing was shown."""
        return self.deflected / self.shown if self.shown else None


def deflection(start: dt.datetime, end: dt.datetime) -> Deflection:
    """The deflection numbers of the sessions started in [start, end): one query."""
    # Aliases unlike the model's fields: an alias named "shown" would hide the column.
    was_shown = Q(shown__len__gt=0)
    counts = SuggestionSession.objects.filter(started_at__gte=start, started_at__lt=end).aggregate(
        n_asked=Count("pk"),
        n_shown=Count("pk", filter=was_shown),
        n_deflected=Count(
            "pk", filter=was_shown & Q(accepted_at__isnull=False, ticket__isnull=True)
        ),
        n_filed=Count("pk", filter=was_shown & Q(ticket__isnull=False)),
    )
    return Deflection(
        start=start,
        end=end,
        asked=counts["n_asked"],
        shown=counts["n_shown"],
        deflected=counts["n_deflected"],
        filed=counts["n_filed"],
    )


def top_accepted(start: dt.datetime, end: dt.datetime, *, limit: int = 10) -> list[dict[str, Any]]:
    """The articles that ended most forms without a ticket in [start, end): one query."""
    rows = (
        SuggestionSession.objects.filter(
            started_at__gte=start,
            started_at__lt=end,
            accepted_article__isnull=False,
            ticket__isnull=True,
        )
        .values("accepted_article", "accepted_article__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "accepted_article")[:limit]
    )
    return [dict(row) for row in rows]
