"""The audit's checklist, pre-filled from what the data says about each sampled ticket.

Seven queries for the whole sample, however many tickets it holds. Each item is a result
(passes, fails, not applicable) with a ``detail`` saying why, for the page:

* **responded** — passes when the ticket was accepted at or before ``response_due_at``.
* **remote_consent** — fails exactly when the work log has a ``remote`` entry that no
  consent covered at its ``performed_at`` (``RemoteConsent.covers``: granted before it, not
  yet expired, not yet revoked); passes otherwise, no remote work included.
* **diagnosis** — passes when the root-cause type, impact scope, solution plan and
  solution are all recorded.
* **functional_checks** — not applicable when the ticket's category (or its parent) has no
  active default checks; otherwise passes when every default is on the ticket and every
  check on it has a result (``fieldwork.services.checks.missing_templates``).
* **verified** — passes when the requester verified the fix herself (the latest
  ``verified`` entry is hers, neither recorded on her behalf nor automatic).
* **survey** — passes when a satisfaction survey was sent (a ``feedback.Survey`` exists).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from feedback.models import Survey
from fieldwork.choices import WorkMode
from fieldwork.models import CheckTemplate, FunctionalCheck, RemoteConsent, WorkLog
from fieldwork.services.checks import RECORDED, missing_templates
from reports.models import AuditCheckKey, AuditResult
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent

Item = tuple[str, dict[str, Any]]  # (result, detail)
DIAGNOSIS_FIELDS = ("root_cause_type", "impact_scope", "solution_plan", "solution")

PASS, FAIL, NA = (
    AuditResult.PASSED.value,
    AuditResult.FAILED.value,
    AuditResult.NOT_APPLICABLE.value,
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def responded(ticket: Ticket) -> Item:
    detail = {"accepted_at": _iso(ticket.accepted_at), "due_at": _iso(ticket.response_due_at)}
    if ticket.response_due_at is None:
        return NA, detail
    if ticket.accepted_at is None or ticket.accepted_at > ticket.response_due_at:
        return FAIL, detail
    return PASS, detail


def remote_consent(entries: Sequence[WorkLog], consents: Sequence[RemoteConsent]) -> Item:
    remote = [e for e in entries if e.mode == WorkMode.REMOTE]
    bare = [e for e in remote if not any(c.covers(e.performed_at) for c in consents)]
    detail = {"remote": len(remote), "unconsented": [_iso(e.performed_at) for e in bare]}
    return (FAIL if bare else PASS), detail


def diagnosis(ticket: Ticket) -> Item:
    missing = [name for name in DIAGNOSIS_FIELDS if not str(getattr(ticket, name)).strip()]
    return (FAIL if missing else PASS), {"missing": missing}


def functional_checks(
    checks: Sequence[FunctionalCheck], templates: Sequence[CheckTemplate]
) -> Item:
    if not templates:
        return NA, {}
    absent = [t.label for t in missing_templates(checks, templates)]
    unrecorded = [c.label for c in checks if c.result not in RECORDED]
    detail = {
        "required": len(templates),
        "checks": len(checks),
        "absent": absent,
        "unrecorded": unrecorded,
    }
    return (FAIL if absent or unrecorded else PASS), detail


def verified(ticket: Ticket, event: TicketEvent | None) -> Item:
    if event is None:
        return FAIL, {"how": "never"}
    detail = {"at": _iso(event.at), "by": event.actor.name if event.actor else ""}
    if event.data.get("auto"):
        return FAIL, {**detail, "how": "auto"}
    if event.data.get("on_behalf") or event.actor_id != ticket.requester_id:
        return FAIL, {**detail, "how": "on_behalf"}
    return PASS, {**detail, "how": "requester"}


def survey(found: Survey | None) -> Item:
    if found is None:
        return FAIL, {}
    return PASS, {"invited_at": _iso(found.invited_at)}


def prefill(ticket_ids: Sequence[int]) -> dict[int, dict[str, Item]]:
    """Every checklist item of every ticket, as the data decides it."""
    tickets = list(
        Ticket.objects.filter(pk__in=ticket_ids)
        .select_related("category")
        .defer("search_document", "search_notes")
    )
    entries: dict[int, list[WorkLog]] = defaultdict(list)
    for entry in WorkLog.objects.filter(ticket_id__in=ticket_ids).only(
        "ticket_id", "mode", "performed_at"
    ):
        entries[entry.ticket_id].append(entry)
    consents: dict[int, list[RemoteConsent]] = defaultdict(list)
    for consent in RemoteConsent.objects.filter(ticket_id__in=ticket_ids, granted_at__isnull=False):
        consents[consent.ticket_id].append(consent)
    categories = {c for t in tickets for c in (t.category_id, t.category.parent_id) if c}
    templates: dict[int, list[CheckTemplate]] = defaultdict(list)
    for template in CheckTemplate.objects.filter(
        category_id__in=categories, is_active=True
    ).order_by("sort_order", "pk"):
        templates[template.category_id].append(template)
    checks: dict[int, list[FunctionalCheck]] = defaultdict(list)
    for check in FunctionalCheck.objects.filter(ticket_id__in=ticket_ids):
        checks[check.ticket_id].append(check)
    latest_verified = {
        e.ticket_id: e
        for e in TicketEvent.objects.filter(ticket_id__in=ticket_ids, kind=EventKind.VERIFIED)
        .select_related("actor")
        .order_by("ticket_id", "-at", "-pk")
        .distinct("ticket_id")
    }
    surveys = {s.ticket_id: s for s in Survey.objects.filter(ticket_id__in=ticket_ids)}

    result: dict[int, dict[str, Item]] = {}
    for ticket in tickets:
        own = [
            ticket.category_id,
            *([ticket.category.parent_id] if ticket.category.parent_id else []),
        ]
        result[ticket.pk] = {
            AuditCheckKey.RESPONDED: responded(ticket),
            AuditCheckKey.REMOTE_CONSENT: remote_consent(entries[ticket.pk], consents[ticket.pk]),
            AuditCheckKey.DIAGNOSIS: diagnosis(ticket),
            AuditCheckKey.FUNCTIONAL_CHECKS: functional_checks(
                checks[ticket.pk], [t for c in own for t in templates[c]]
            ),
            AuditCheckKey.VERIFIED: verified(ticket, latest_verified.get(ticket.pk)),
            AuditCheckKey.SURVEY: survey(surveys.get(ticket.pk)),
        }
    return result
