"""Writes of the monthly process audit: draw (or redraw) a month's sample, confirm or
override a sampled ticket's checklist, write the improvement actions, close.

Who: auditors (``access.may_audit``: managers, tech leads, admins); 403 for anyone else.
The population is the month's tickets closed as completed (cancelled and merged tickets
were never worked through the checklist), ``closed_at`` in the month in the desk's zone.
A month may be drawn once it has ended; drawing again replaces the sample only while no
ticket of it was confirmed (409 after that, and once closed). Beat draws last month on
this month's first working day (``draw_scheduled``), once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from reports.models import (
    AuditCheck,
    AuditCheckKey,
    AuditedTicket,
    AuditResult,
    AuditState,
    ProcessAudit,
)
from reports.review import access, checklist, sampling
from reports.review.periods import (
    desk_today,
    first_working_day,
    month_bounds,
    month_start,
    previous_month,
)
from tickets.choices import ClosedAs, TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Ticket
from tickets.services.base import text

# A sample is something one person checks by hand in an afternoon or two.
MAX_SAMPLE = 200
SEED_MAX = 2**63 - 1
NOTE_MAX = 500


class AuditNotFound(Http404):
    """No such audit, or no such ticket in its sample."""


def _auditor(actor: User) -> None:
    if not access.may_audit(actor):
        raise ActionForbidden(_("Only managers and tech leads audit tickets."))


def _lock(audit_id: int) -> ProcessAudit:
    try:
        return ProcessAudit.objects.select_for_update(no_key=True).get(pk=audit_id)
    except ProcessAudit.DoesNotExist:
        raise AuditNotFound from None


def _open(audit: ProcessAudit) -> None:
    if not audit.is_open:
        raise InvalidTransition(_("This audit is closed: it reads as it was closed."))


def population(month: dt.date) -> dict[str, list[int]]:
    """The month's tickets closed as completed, their ids by priority (one query)."""
    start, end = month_bounds(month)
    strata: dict[str, list[int]] = defaultdict(list)
    rows = (
        Ticket.objects.filter(
            state=TicketState.CLOSED,
            closed_as=ClosedAs.COMPLETED,
            closed_at__gte=start,
            closed_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", "priority")
    )
    for ticket_id, priority in rows:
        strata[priority].append(ticket_id)
    return dict(strata)


def clean_size(value: Any) -> int:
    message = _("Give a whole number between 1 and %(max)d.") % {"max": MAX_SAMPLE}
    if value is None or value == "":
        return int(settings.REPORTS_AUDIT_SAMPLE_SIZE)
    if isinstance(value, bool):
        raise ValidationError({"size": message})
    try:
        found = int(str(value).strip())
    except ValueError:
        raise ValidationError({"size": message}) from None
    if not 1 <= found <= MAX_SAMPLE:
        raise ValidationError({"size": message})
    return found


def clean_seed(value: Any) -> int:
    if value is None or value == "":
        return secrets.randbelow(2**31)
    message = _("Give a whole number from 0 to %(max)d, or leave it empty.") % {"max": SEED_MAX}
    if isinstance(value, bool):
        raise ValidationError({"seed": message})
    try:
        found = int(str(value).strip())
    except ValueError:
        raise ValidationError({"seed": message}) from None
    if not 0 <= found <= SEED_MAX:
        raise ValidationError({"seed": message})
    return found


def _write_sample(audit: ProcessAudit, strata: Mapping[str, list[int]]) -> None:
    drawn = sampling.draw(strata, audit.sample_size, audit.seed)
    items = AuditedTicket.objects.bulk_create(
        AuditedTicket(audit=audit, ticket_id=ticket_id, priority=priority, position=index)
        for index, (priority, ticket_id) in enumerate(drawn)
    )
    found = checklist.prefill([item.ticket_id for item in items])
    AuditCheck.objects.bulk_create(
        AuditCheck(
            item=item,
            key=key,
            data_result=result,
            detail=detail,
            result=result,
            note="",
        )
        for item in items
        for key, (result, detail) in found[item.ticket_id].items()
    )


def draw_audit(
    month: dt.date,
    *,
    actor: User | None,
    size: Any = None,
    seed: Any = None,
    now: dt.datetime | None = None,
    redraw: bool = True,
) -> ProcessAudit:
    """Draw the sample of ``month`` (any day of it), or draw it again while nobody has
    confirmed a ticket of it (``redraw``; without it an existing audit is returned as it
    is). ``actor`` is ``None`` for beat."""
    now = now or timezone.now()
    if actor is not None:
        _auditor(actor)
    month = month_start(month)
    if month >= month_start(desk_today(now)):
        raise ValidationError({"month": _("Choose a month that has ended.")})
    chosen_size, chosen_seed = clean_size(size), clean_seed(seed)
    with transaction.atomic():
        audit = ProcessAudit.objects.select_for_update(no_key=True).filter(month=month).first()
        if audit is not None and not redraw:
            return audit
        if audit is not None:
            _open(audit)
            if audit.items.filter(confirmed_at__isnull=False).exists():
                raise InvalidTransition(
                    _("Tickets of this sample were checked already: it is not drawn again.")
                )
            audit.items.all().delete()
        else:
            audit = ProcessAudit(month=month)
        strata = population(month)
        audit.seed = chosen_seed
        audit.sample_size = chosen_size
        audit.population = {p: len(ids) for p, ids in strata.items()}
        audit.drawn_at = now
        audit.drawn_by = actor
        audit.save()
        _write_sample(audit, strata)
    return audit


def draw_scheduled(now: dt.datetime | None = None) -> ProcessAudit | None:
    """Beat: from this month's first working day on, draw last month's audit if nobody has
    yet. Quiet on the days before, and once it exists (drawn by beat or by hand)."""
    now = now or timezone.now()
    today = desk_today(now)
    if today < first_working_day(today):
        return None
    month = previous_month(today)
    if ProcessAudit.objects.filter(month=month).exists():
        return None
    try:
        with transaction.atomic():
            return draw_audit(month, actor=None, now=now, redraw=False)
    except IntegrityError:  # a second beat run drew it at the same moment
        return None


def item_of(audit: ProcessAudit, item_id: int, user: User) -> AuditedTicket:
    """A sampled ticket of ``audit`` that ``user``'s site limits show them (else 404)."""
    item = (
        AuditedTicket.objects.select_related("ticket")
        .filter(audit=audit, pk=item_id)
        .only("pk", "audit_id", "ticket_id", "ticket__site_id", "confirmed_at")
        .first()
    )
    if item is None or not access.serves(user, item.ticket.site_id):
        raise AuditNotFound
    return item


def confirm_ticket(
    audit_id: int, item_id: int, *, actor: User, answers: Mapping[str, tuple[Any, Any]]
) -> AuditedTicket:
    """Confirm a sampled ticket's checklist: ``answers`` maps each item's key to its
    ``(result, note)``. A result that differs from what the data says needs a note (400 on
    ``note_<key>``); an unknown result is a 400 on ``result_<key>``."""
    _auditor(actor)
    with transaction.atomic():
        audit = _lock(audit_id)
        item = item_of(audit, item_id, actor)
        _open(audit)
        checks = list(item.checks.all())
        errors: dict[str, str] = {}
        for check in checks:
            result, note = answers.get(check.key, (check.result, check.note))
            if result not in AuditResult.values:
                errors[f"result_{check.key}"] = _("Choose passes, fails or not applicable.")
                continue
            note = "" if note is None else str(note).strip()
            if len(note) > NOTE_MAX:
                errors[f"note_{check.key}"] = _("At most %(max)d characters (this has %(n)d).") % {
                    "max": NOTE_MAX,
                    "n": len(note),
                }
            elif result != check.data_result and not note:
                errors[f"note_{check.key}"] = _("Say why you decide otherwise than the data.")
            check.result, check.note = result, note
        if errors:
            raise ValidationError(errors)
        AuditCheck.objects.bulk_update(checks, ["result", "note"])
        item.confirmed_at = timezone.now()
        item.confirmed_by = actor
        item.save(update_fields=["confirmed_at", "confirmed_by"])
        ProcessAudit.objects.filter(pk=audit.pk).update(updated_at=item.confirmed_at)
    return item


def write_actions(audit_id: int, *, actor: User, improvement_actions: str) -> ProcessAudit:
    _auditor(actor)
    with transaction.atomic():
        audit = _lock(audit_id)
        _open(audit)
        audit.improvement_actions = text(
            "improvement_actions", improvement_actions, model=ProcessAudit, required=False
        )
        audit.updated_at = timezone.now()
        audit.save(update_fields=["improvement_actions", "updated_at"])
    return audit


def close_audit(audit_id: int, *, actor: User) -> ProcessAudit:
    """Closed once every sampled ticket is confirmed (409 before); read-only after."""
    _auditor(actor)
    with transaction.atomic():
        audit = _lock(audit_id)
        _open(audit)
        waiting = audit.items.filter(confirmed_at__isnull=True).count()
        if waiting:
            raise InvalidTransition(
                _("Confirm every sampled ticket before closing: %(n)d still to check.")
                % {"n": waiting}
            )
        audit.state = AuditState.CLOSED
        audit.closed_at = timezone.now()
        audit.closed_by = actor
        audit.save(update_fields=["state", "closed_at", "closed_by"])
    return audit


__all__ = [
    "AuditCheckKey",
    "MAX_SAMPLE",
    "clean_seed",
    "clean_size",
    "close_audit",
    "confirm_ticket",
    "draw_audit",
    "draw_scheduled",
    "item_of",
    "population",
    "write_actions",
]
