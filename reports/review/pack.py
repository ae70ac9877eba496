"""What the weekly problem review shows, gathered once when it is generated (a snapshot).

* **Recurring faults**: the week's tickets and those of the ``REPORTS_REVIEW_LOOKBACK_WEEKS``
  weeks before (3 by default: "3 printer jams this month"), cancelled and merged duplicates
  left out, grouped by category and similar symptoms (``similarity``); a group needs two
  tickets, one of them submitted in the week. Each group says what its tickets share: the
  device model (vendor and model of the ticket's device), the device itself, the site.
* **Reopened**: fixes rejected by the requester and tickets reopened after closing, in the
  week (``FIX_REJECTED`` and ``REOPENED`` timeline entries).
* **SLA breaches**: response and resolution deadlines that fell in the week and were missed
  (the SLA sweep's ``SlaEvent`` breaches, by their deadline).
* **Low ratings**: surveys answered in the week with any rating of 2 or less.
* **Major incidents**: declared in the week, or whose post-incident review was written in
  it (``incidents.review.reviews_between``), with the review's root cause and actions.

Times are stored as ISO strings; ``present`` turns them back into datetimes for the page.
The pack is JSON: a past review reads the same whatever happened to the tickets since.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q

from feedback.models import Survey
from incidents.models import MajorIncident, PostIncidentReview, ReviewAction
from incidents.review import reviews_between
from reports.review import similarity
from reports.review.periods import week_bounds
from tickets.choices import ClosedAs, EventKind
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent

PACK_VERSION = 1
# The newest tickets compared for recurring faults; a desk filing more than this in the
# weeks looked at gets its most recent ones grouped (the page says so).
MAX_TICKETS = 5_000
# Free text kept in the snapshot (reasons, comments, root causes) is cut here.
TEXT_KEPT = 500
LOW_RATING = 2
BREACHES = (SlaEventKind.RESPONSE_BREACH, SlaEventKind.RESOLUTION_BREACH)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _cut(text: str) -> str:
    text = text.strip()
    return text if len(text) <= TEXT_KEPT else text[: TEXT_KEPT - 1] + "…"


def ticket_row(ticket: Ticket) -> dict[str, Any]:
    """What the pack keeps of a ticket (it needs ``site`` and ``assignee`` joined)."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "title": ticket.title,
        "priority": ticket.priority,
        "state": ticket.state,
        "site_id": ticket.site_id,
        "site": ticket.site.name if ticket.site else "",
        "assignee": ticket.assignee.name if ticket.assignee else "",
        "submitted_at": _iso(ticket.submitted_at),
    }


def build(week_start: dt.date, *, now: dt.datetime) -> dict[str, Any]:
    """The pack of the week starting ``week_start``, up to ``now`` if the week is not over."""
    start, week_end = week_bounds(week_start)
    end = min(week_end, now)
    lookback = dt.timedelta(weeks=max(0, settings.REPORTS_REVIEW_LOOKBACK_WEEKS))
    groups, compared, capped = recurring(start - lookback, start, end)
    return {
        "version": PACK_VERSION,
        "start": _iso(start),
        "end": _iso(week_end),
        "covers_until": _iso(end),
        "lookback_start": _iso(start - lookback),
        "submitted": Ticket.objects.filter(submitted_at__gte=start, submitted_at__lt=end).count(),
        "compared": compared,
        "capped": capped,
        "groups": groups,
        "reopened": reopened(start, end),
        "breaches": breaches(start, end),
        "low_ratings": low_ratings(start, end),
        "incidents": incidents(start, end),
    }


def recurring(
    since: dt.datetime, start: dt.datetime, end: dt.datetime
) -> tuple[list[dict[str, Any]], int, bool]:
    """The groups of alike tickets filed in ``[since, end)`` that have one in ``[start, end)``;
    how many tickets were compared; whether ``MAX_TICKETS`` cut them."""
    tickets = list(
        Ticket.objects.filter(submitted_at__gte=since, submitted_at__lt=end)
        .exclude(closed_as__in=[ClosedAs.CANCELLED, ClosedAs.DUPLICATE])
        .select_related("category", "site", "asset", "assignee")
        .defer("search_document", "search_notes")
        .order_by("-submitted_at", "-pk")[: MAX_TICKETS + 1]
    )
    capped = len(tickets) > MAX_TICKETS
    tickets = tickets[:MAX_TICKETS]
    by_id = {t.pk: t for t in tickets}
    docs = [
        similarity.Doc(t.pk, t.category_id, t.title, t.description)
        for t in sorted(tickets, key=lambda t: t.pk)
    ]
    docs_by_id = {d.id: d for d in docs}
    groups = []
    for ids in similarity.group(docs):
        members = [by_id[i] for i in ids]
        if not any(start <= t.submitted_at < end for t in members):
            continue
        groups.append(_describe(members, [docs_by_id[i] for i in ids], start))
    return groups, len(tickets), capped


def _model(ticket: Ticket) -> str:
    """The device's vendor and model ("HP LaserJet Pro M404dn"): its firmware may differ."""
    asset = ticket.asset
    return f"{asset.vendor} {asset.model}".strip() if asset else ""


def _most_common(values: list[str]) -> dict[str, Any] | None:
    """The value most tickets share (two at least), with how many and whether all do."""
    found = Counter(v for v in values if v)
    if not found:
        return None
    value, count = min(found.items(), key=lambda item: (-item[1], item[0]))
    if count < 2:
        return None
    return {"value": value, "count": count, "all": count == len(values)}


def _describe(
    members: list[Ticket], docs: list[similarity.Doc], start: dt.datetime
) -> dict[str, Any]:
    members = sorted(members, key=lambda t: (t.submitted_at, t.pk))
    category = members[0].category
    models_ = {t.pk: _model(t) for t in members}
    return {
        "category": {"slug": category.slug, "name": category.name, "name_en": category.name_en},
        "count": len(members),
        "in_week": sum(1 for t in members if t.submitted_at >= start),
        "keywords": similarity.keywords(docs),
        "model": _most_common(list(models_.values())),
        "device": _most_common([t.asset.tag if t.asset else "" for t in members]),
        "site": _most_common([t.site.name if t.site else "" for t in members]),
        "tickets": [{**ticket_row(t), "model": models_[t.pk]} for t in members],
    }


def reopened(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    events = (
        TicketEvent.objects.filter(
            kind__in=[EventKind.FIX_REJECTED, EventKind.REOPENED], at__gte=start, at__lt=end
        )
        .select_related("ticket", "ticket__site", "ticket__assignee", "actor")
        .defer("ticket__search_document", "ticket__search_notes")
        .order_by("at", "pk")
    )
    return [
        {
            **ticket_row(e.ticket),
            "kind": e.kind,
            "at": _iso(e.at),
            "by": e.actor.name if e.actor else "",
            "reason": _cut(str(e.data.get("reason", ""))),
            "times": int(e.data.get("reopen_count") or 0),
        }
        for e in events
    ]


def breaches(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    rows = (
        SlaEvent.objects.filter(kind__in=BREACHES, due_at__gte=start, due_at__lt=end)
        .select_related("ticket", "ticket__site", "ticket__assignee")
        .defer("ticket__search_document", "ticket__search_notes")
        .order_by("due_at", "pk")
    )
    return [{**ticket_row(r.ticket), "kind": r.kind, "due_at": _iso(r.due_at)} for r in rows]


def low_ratings(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    low = Q(speed__lte=LOW_RATING) | Q(quality__lte=LOW_RATING) | Q(attitude__lte=LOW_RATING)
    surveys = (
        Survey.objects.filter(low, answered_at__gte=start, answered_at__lt=end)
        .select_related("ticket", "ticket__site", "ticket__assignee")
        .defer("ticket__search_document", "ticket__search_notes")
        .order_by("answered_at", "pk")
    )
    return [
        {
            **ticket_row(s.ticket),
            "speed": s.speed,
            "quality": s.quality,
            "attitude": s.attitude,
            "comment": _cut(s.comment),
            "suggestions": _cut(s.suggestions),
            "answered_at": _iso(s.answered_at),
        }
        for s in surveys
    ]


def _review(review: PostIncidentReview | None) -> dict[str, Any] | None:
    if review is None:
        return None
    actions: list[ReviewAction] = list(review.actions.all())
    return {
        "root_cause": _cut(review.root_cause),
        "written_at": _iso(review.written_at),
        "actions": [
            {
                "description": a.description,
                "owner": a.owner.name,
                "due_on": a.due_on.isoformat(),
                "done": a.done_at is not None,
            }
            for a in actions
        ],
    }


def incidents(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Incidents declared in the week, and those whose review was written in it."""
    reviews = {r.incident_id: r for r in reviews_between(start, end)}
    declared = {
        i.pk: i
        for i in MajorIncident.objects.filter(declared_at__gte=start, declared_at__lt=end)
        .select_related("commander")
        .order_by("declared_at", "pk")
    }
    missing = set(declared) - set(reviews)
    if missing:  # the week's incidents reviewed since (the pack is generated after the week)
        later = (
            PostIncidentReview.objects.filter(incident_id__in=missing)
            .select_related("incident", "incident__commander")
            .prefetch_related(
                Prefetch("actions", queryset=ReviewAction.objects.select_related("owner"))
            )
        )
        reviews.update({r.incident_id: r for r in later})
    found = {**{r.incident_id: r.incident for r in reviews.values()}, **declared}
    ordered = sorted(found.values(), key=lambda i: (i.declared_at, i.pk))
    return [
        {
            "number": i.number,
            "title": i.title,
            "status": i.status,
            "commander": i.commander.name,
            "declared_at": _iso(i.declared_at),
            "restored_at": _iso(i.restored_at),
            "resolved_at": _iso(i.resolved_at),
            "review": _review(reviews.get(i.pk)),
        }
        for i in ordered
    ]
