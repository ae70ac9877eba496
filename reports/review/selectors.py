"""Reads of the weekly review and the monthly audit for the pages, each in a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Func, IntegerField, Q, QuerySet
from django.db.models.fields.json import KeyTransform

from accounts.models import AnyUser
from reports.models import (
    ActionStatus,
    AuditCheck,
    AuditCheckKey,
    AuditedTicket,
    AuditResult,
    ImprovementAction,
    ProblemReview,
    ProcessAudit,
)
from reports.review.access import serves

PACK_SECTIONS = ("groups", "reopened", "breaches", "low_ratings", "incidents")


def _length(section: str) -> Func:
    return Func(
        KeyTransform(section, "pack"), function="jsonb_array_length", output_field=IntegerField()
    )


def review_list() -> QuerySet[ProblemReview]:
    """Newest week first, each with its sections' sizes and its actions counted (the pack
    itself is not read)."""
    return (
        ProblemReview.objects.defer("pack", "root_causes", "kb_updates")
        .annotate(
            **{f"n_{section}": _length(section) for section in PACK_SECTIONS},
            n_actions=Count("actions"),
            n_open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)),
        )
        .order_by("-week_start")
    )


def own_actions(review: ProblemReview) -> list[ImprovementAction]:
    return list(review.actions.select_related("owner").order_by("due_on", "pk"))


def carried_over(review: ProblemReview) -> list[ImprovementAction]:
    """Earlier reviews' actions still open: shown (and changed) on this review too."""
    return list(
        ImprovementAction.objects.filter(
            status=ActionStatus.OPEN, review__week_start__lt=review.week_start
        )
        .select_related("owner", "review")
        .defer("review__pack", "review__root_causes", "review__kb_updates")
        .order_by("due_on", "pk")
    )


def audit_list() -> QuerySet[ProcessAudit]:
    """Newest month first, with the sample's size, how many are confirmed, and the score's
    parts (items passing and failing)."""
    return (
        ProcessAudit.objects.defer("improvement_actions")
        .annotate(
            n_items=Count("items", distinct=True),
            n_confirmed=Count("items", filter=Q(items__confirmed_at__isnull=False), distinct=True),
            n_passed=Count("items__checks", filter=Q(items__checks__result=AuditResult.PASSED)),
            n_failed=Count("items__checks", filter=Q(items__checks__result=AuditResult.FAILED)),
        )
        .order_by("-month")
    )


def score(passed: int, failed: int) -> float | None:
    """Items passing ÷ items decided (passing or failing; not applicable left out) × 100,
    one decimal; ``None`` when nothing is decided."""
    decided = passed + failed
    return round(passed * 100 / decided, 1) if decided else None


@dataclass
class AuditRow:
    item: AuditedTicket
    checks: list[AuditCheck]
    failed: int = 0


@dataclass
class AuditView:
    rows: list[AuditRow] = field(default_factory=list)
    hidden: int = 0
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    confirmed: int = 0
    total: int = 0
    drawn: dict[str, int] = field(default_factory=dict)
    by_key: list[dict[str, Any]] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        return score(self.passed, self.failed)


def audit_view(audit: ProcessAudit, user: AnyUser) -> AuditView:
    """Every sampled ticket with its checklist (three queries); the score over the whole
    sample, the rows only for the tickets ``user``'s site limits show."""
    items = list(
        AuditedTicket.objects.filter(audit=audit)
        .select_related("ticket", "ticket__category", "ticket__assignee", "confirmed_by")
        .defer("ticket__search_document", "ticket__search_notes")
        .order_by("position", "pk")
    )
    checks: dict[int, list[AuditCheck]] = {}
    order = {key: index for index, key in enumerate(AuditCheckKey.values)}
    for check in AuditCheck.objects.filter(item__audit=audit):
        checks.setdefault(check.item_id, []).append(check)
    view = AuditView(total=len(items))
    tally = {key: {"passed": 0, "failed": 0} for key in AuditCheckKey.values}
    for item in items:
        mine = sorted(checks.get(item.pk, []), key=lambda c: order.get(c.key, 99))
        for check in mine:
            if check.result == AuditResult.PASSED:
                view.passed += 1
                tally[check.key]["passed"] += 1
            elif check.result == AuditResult.FAILED:
                view.failed += 1
                tally[check.key]["failed"] += 1
            else:
                view.not_applicable += 1
        view.confirmed += item.confirmed_at is not None
        view.drawn[item.priority] = view.drawn.get(item.priority, 0) + 1
        if serves(user, item.ticket.site_id):
            failed = sum(1 for c in mine if c.result == AuditResult.FAILED)
            view.rows.append(AuditRow(item=item, checks=mine, failed=failed))
        else:
            view.hidden += 1
    view.by_key = [
        {
            "key": key,
            "label": label,
            "passed": tally[key]["passed"],
            "failed": tally[key]["failed"],
            "score": score(tally[key]["passed"], tally[key]["failed"]),
        }
        for key, label in AuditCheckKey.choices
    ]
    return view


__all__ = ["audit_list", "audit_view", "carried_over", "own_actions", "review_list"]
