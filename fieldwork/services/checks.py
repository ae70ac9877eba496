"""Functional checks before resolving (R5.2): for a fault in a business system, the engineer
tries what the requester does every day — log in with a test account, run an approval
flow, upload an attachment — and records each check as passed, failed or not applicable.

Where the list comes from: the category's default checks (``CheckTemplate``, the
category's own and its parent's, managed in the admin) are put on the ticket the first
time someone working it looks at its checks (the work view's panel or the API), and
again whenever a default is missing (the category changed, or an admin added one): a
change of category adds the new defaults and never drops a recorded result. The engineer
may add checks of their own.

Resolving is refused (``tickets.hooks`` resolve guard) while a check has failed, and while
a check — or a default not yet on the ticket — has no result: "not applicable" (with a
reason) is the way to pass over one. A template's check keeps its Chinese label on the
ticket and is shown in the reader's language (``shown_labels``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AnyUser, User
from fieldwork.choices import CheckResult
from fieldwork.models import CheckTemplate, FunctionalCheck
from tickets import permissions
from tickets.choices import WORK_STATES
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket
from tickets.services import base

# A checklist, not a test plan: an engineer adds a few checks of their own at most.
MAX_CHECKS = 40
# Extra checks come after the defaults, whose order is set in the admin (0…).
EXTRA_ORDER = 1000
SORT_MAX = 32767
# Results that count as recorded; a failed one refuses resolving on its own.
RECORDED = (CheckResult.PASSED, CheckResult.FAILED, CheckResult.NOT_APPLICABLE)
NEEDS_NOTE = (CheckResult.FAILED, CheckResult.NOT_APPLICABLE)


class CheckNotFound(TicketNotFound):
    """No such check on this ticket (404, like a missing ticket)."""


class CheckEntry(models.TextChoices):
    """Timeline entries (public: the requester is shown the checks when asked to verify)."""

    ADDED = "check_added", gettext_lazy("Functional check added")
    RECORDED = "check_recorded", gettext_lazy("Functional check recorded")


# --- reads ---------------------------------------------------------------------------------


def templates_for(ticket: Ticket) -> list[CheckTemplate]:
    """The active default checks of the ticket's category and of its parent (one query)."""
    category = ticket.category
    ids = [category.pk, *([category.parent_id] if category.parent_id else [])]
    return list(
        CheckTemplate.objects.filter(category_id__in=ids, is_active=True).order_by(
            "sort_order", "pk"
        )
    )


def checks_of(ticket: Ticket) -> list[FunctionalCheck]:
    """The ticket's checks in order, with who recorded each (one query)."""
    return list(FunctionalCheck.objects.filter(ticket_id=ticket.pk).select_related("checked_by"))


def missing_templates(
    checks: Iterable[FunctionalCheck], templates: Iterable[CheckTemplate]
) -> list[CheckTemplate]:
    have = {c.label for c in checks}
    return [t for t in templates if t.label not in have]


def shown_labels(checks: Iterable[FunctionalCheck]) -> dict[int, str]:
    """Each check's label in the active language: a default check's English label when the
    reader reads English (one query then, whatever the checks; none in Chinese)."""
    checks = list(checks)
    if not checks or not (translation.get_language() or "").startswith("en"):
        return {c.pk: c.label for c in checks}
    known = dict(
        CheckTemplate.objects.filter(label__in={c.label for c in checks})
        .order_by()
        .values_list("label", "label_en")
    )
    return {c.pk: known.get(c.label) or c.label for c in checks}


def may_record(ticket: Ticket, user: AnyUser) -> bool:
    """Whether the check forms are offered: the handler, while the ticket is being worked on."""
    return ticket.state in WORK_STATES and permissions.can_handle(ticket, user)


def refusal(ticket: Ticket) -> str | None:
    """Why ``ticket`` may not be resolved now, or None (the resolve guard; one query).

    A failed check refuses, and so does a check on the ticket with no result yet. Defaults
    not yet put on the ticket do not: they arrive when the handler opens the work view, so
    a desk working through the pages records them, while a ticket resolved by a script or
    an integration that never showed the checklist is not blocked by checks nobody saw.
    """
    checks = checks_of(ticket)
    labels = shown_labels(checks)
    failed = [labels[c.pk] for c in checks if c.result == CheckResult.FAILED]
    if failed:
        return _(
            "A functional check failed: %(checks)s. Fix the fault and record the check "
            "again before resolving."
        ) % {"checks": _quoted(failed)}
    open_ = [labels[c.pk] for c in checks if c.result not in RECORDED]
    if open_:
        return _(
            "Record every functional check before resolving (passed, failed or not "
            "applicable): %(checks)s."
        ) % {"checks": _quoted(open_)}
    return None


def _quoted(labels: list[str]) -> str:
    return _(", ").join(_("“%(label)s”") % {"label": label} for label in labels)


# --- writes --------------------------------------------------------------------------------


def ensure_checks(ticket_id: int, *, actor: User) -> list[FunctionalCheck]:
    """Put the category's missing default checks on the ticket (the handler, while it is
    being worked on; nothing for anyone else) and return the ticket's checks.

    Idempotent: under the ticket's row lock, a default already on the ticket (by label) is
    not added twice, whoever asked first.
    """
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        checks = checks_of(ticket)
        if not may_record(ticket, actor):
            return checks
        missing = missing_templates(checks, templates_for(ticket))
        if not missing:
            return checks
        _add_defaults(ticket, checks, missing)
        return checks_of(ticket)


def _add_defaults(
    ticket: Ticket, checks: list[FunctionalCheck], missing: list[CheckTemplate]
) -> None:
    """The missing defaults, in their order: after the checks already on the ticket (a new
    category's, or one an admin added), or as set in the admin on a fresh list."""
    if not missing:
        return
    after = max((c.sort_order for c in checks), default=-1) + 1 if checks else 0
    FunctionalCheck.objects.bulk_create(
        FunctionalCheck(
            ticket=ticket,
            label=t.label,
            sort_order=min(after + index if checks else t.sort_order, SORT_MAX),
        )
        for index, t in enumerate(missing)
    )


def _handled(ticket_id: int, actor: User) -> Ticket:
    ticket = base.lock(ticket_id, actor)
    if not permissions.can_handle(ticket, actor):
        raise ActionForbidden(
            _("Only the engineer handling this ticket (or a tech lead) records its checks.")
        )
    if ticket.state not in WORK_STATES:
        raise InvalidTransition(
            _("Functional checks are recorded while the ticket is being worked on.")
        )
    return ticket


def add_check(ticket_id: int, *, actor: User, label: str) -> FunctionalCheck:
    """A check of the engineer's own, after the defaults (which are put on first)."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _handled(ticket_id, actor)
        cleaned = base.text("label", label, model=FunctionalCheck, single_line=True)
        checks = checks_of(ticket)
        missing = missing_templates(checks, templates_for(ticket))
        _add_defaults(ticket, checks, missing)
        labels = {c.label.casefold() for c in checks} | {t.label.casefold() for t in missing}
        if cleaned.casefold() in labels:
            raise ValidationError({"label": _("This check is already on the list.")})
        if len(checks) + len(missing) >= MAX_CHECKS:
            raise ValidationError(
                {"label": _("A ticket may have at most %(n)d checks.") % {"n": MAX_CHECKS}}
            )
        last = FunctionalCheck.objects.filter(ticket=ticket).aggregate(n=Max("sort_order"))["n"]
        check = FunctionalCheck.objects.create(
            ticket=ticket,
            label=cleaned,
            sort_order=min(max(EXTRA_ORDER, (last or 0) + 1), SORT_MAX),
        )
        base.record(ticket, CheckEntry.ADDED, actor=actor, now=now, data={"label": cleaned})
    return check


def _cleaned(result: str, note: str) -> tuple[str, str]:
    """A result and its note as recorded, or the ``ValidationError`` naming the field."""
    cleaned = base.choice("result", result, CheckResult)
    if cleaned not in RECORDED:
        raise ValidationError({"result": _("Choose passed, failed or not applicable.")})
    text = base.text("note", note, model=FunctionalCheck, required=False)
    if cleaned in NEEDS_NOTE and not text:
        raise ValidationError(
            {
                "note": _("Say what failed.")
                if cleaned == CheckResult.FAILED
                else _("Say why this check does not apply.")
            }
        )
    return cleaned, text


def _english_labels(labels: Iterable[str]) -> dict[str, str]:
    """The English label of each default check among ``labels`` (one query)."""
    return dict(
        CheckTemplate.objects.filter(label__in=set(labels))
        .order_by("label", "pk")
        .distinct("label")
        .values_list("label", "label_en")
    )


def _apply(
    ticket: Ticket,
    check: FunctionalCheck,
    result: str,
    note: str,
    *,
    actor: User,
    now: dt.datetime,
    label_en: str,
) -> None:
    check.result = result
    check.note = note
    check.checked_by = actor
    check.checked_at = now
    check.save(update_fields=["result", "note", "checked_by", "checked_at"])
    base.record(
        ticket,
        CheckEntry.RECORDED,
        actor=actor,
        now=now,
        data={
            "label": check.label,
            # A default check's English label, for English readers of the timeline.
            "label_en": label_en,
            "result": result,
            "result_note": note,
        },
    )


def record_check(
    ticket_id: int, check_id: int, *, actor: User, result: str, note: str = ""
) -> FunctionalCheck:
    """Record one check's result; a failed or not-applicable one says why in its note.
    Recording again replaces the result (the timeline keeps every one)."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _handled(ticket_id, actor)
        check = (
            FunctionalCheck.objects.select_for_update(no_key=True)
            .filter(ticket=ticket, pk=check_id)
            .first()
        )
        if check is None:
            raise CheckNotFound
        cleaned, text = _cleaned(result, note)
        label_en = _english_labels([check.label]).get(check.label, "")
        _apply(ticket, check, cleaned, text, actor=actor, now=now, label_en=label_en)
    return check


def record_checks(
    ticket_id: int, answers: dict[int, tuple[str, str]], *, actor: User
) -> list[FunctionalCheck]:
    """Record the whole checklist at once: ``answers`` maps a check's id to its result and
    note (an empty result: left as it is). Only what changed is recorded, on the timeline
    too; all or nothing — the ``ValidationError`` names each refused field as
    ``result-<id>`` or ``note-<id>``. The checks recorded, in the list's order."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _handled(ticket_id, actor)
        checks = list(
            FunctionalCheck.objects.select_for_update(no_key=True)
            .filter(ticket=ticket, pk__in=list(answers))
            .order_by("sort_order", "pk")
        )
        if len(checks) != len(answers):
            raise CheckNotFound
        errors: dict[str, list[str]] = {}
        changed: list[tuple[FunctionalCheck, str, str]] = []
        for check in checks:
            result, note = answers[check.pk]
            if not result and not note.strip():
                continue
            try:
                cleaned, text = _cleaned(result, note)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors[f"{field}-{check.pk}"] = messages
                continue
            if (cleaned, text) != (check.result, check.note):
                changed.append((check, cleaned, text))
        if errors:
            raise ValidationError(errors)
        english = _english_labels(check.label for check, _result, _text in changed)
        for check, cleaned, text in changed:
            label_en = english.get(check.label, "")
            _apply(ticket, check, cleaned, text, actor=actor, now=now, label_en=label_en)
    return [check for check, _cleaned_result, _text in changed]
