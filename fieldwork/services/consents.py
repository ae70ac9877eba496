"""Remote-session consent (R3.1): an engineer asks, the requester grants or refuses, and may
revoke a grant at any time.

Each service is a straight line: atomic → lock the ticket row → visible (else 404) →
permitted (403) → allowed now (409) → validate (400, the field named) → change → save →
timeline entry → tell people. The consent row is locked after the ticket row (always in
that order), so a grant and a revoke of the same consent queue behind each other.

Nothing here lets staff decide a consent: granting, refusing and revoking check that the
actor is the ticket's requester, and the only fields a caller gives are the request's
``tool``, ``purpose`` and ``duration_minutes`` (and a refusal's reason). ``state``,
``granted_at`` and ``expires_at`` are set here, from the clock, and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from fieldwork.choices import ConsentState, ConsentStatus
from fieldwork.models import RemoteConsent
from notifications import outbox
from tickets import permissions
from tickets.choices import WORK_STATES
from tickets.errors import ActionForbidden, InvalidTransition, TicketNotFound
from tickets.models import Ticket, TicketEvent
from tickets.notify import ticket_link
from tickets.services import base

# How long a grant may last: at least 5 minutes, at most a working day.
DURATION_MIN = 5
DURATION_MAX = 480


class ConsentEntry(models.TextChoices):
    """Timeline entries of a consent's life (public: the requester sees every step)."""

    REQUESTED = "consent_requested", gettext_lazy("Remote access requested")
    GRANTED = "consent_granted", gettext_lazy("Remote access granted")
    REFUSED = "consent_refused", gettext_lazy("Remote access refused")
    REVOKED = "consent_revoked", gettext_lazy("Remote access revoked")


class ConsentNotice(models.TextChoices):
    """What people are told: the requester of a request, the engineer of the answer."""

    REQUESTED = "consent_requested", gettext_lazy("An engineer asks for remote access")
    GRANTED = "consent_granted", gettext_lazy("Remote access granted")
    REFUSED = "consent_refused", gettext_lazy("Remote access refused")
    REVOKED = "consent_revoked", gettext_lazy("Remote access revoked")


def clean_duration(value: Any) -> int:
    """Whole minutes between ``DURATION_MIN`` and ``DURATION_MAX`` (400 naming the field)."""
    message = _("Give a whole number of minutes between %(min)d and %(max)d.") % {
        "min": DURATION_MIN,
        "max": DURATION_MAX,
    }
    if isinstance(value, bool):
        raise ValidationError({"duration_minutes": message})
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"duration_minutes": message}) from None
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        raise ValidationError({"duration_minutes": message})
    return minutes


def request_consent(
    ticket_id: int, *, actor: User, tool: str, purpose: str, duration_minutes: Any
) -> RemoteConsent:
    """The engineer handling the ticket asks the requester for a remote session: with which
    tool, what for, for how long. One request waits for an answer at a time."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.can_handle(ticket, actor):
            raise ActionForbidden(
                _("Only the engineer handling this ticket (or a tech lead) may ask for this.")
            )
        if ticket.state not in WORK_STATES:
            raise InvalidTransition(
                _("Remote access can be asked for only while the ticket is being worked on.")
            )
        if RemoteConsent.objects.filter(ticket=ticket, state=ConsentState.REQUESTED).exists():
            raise InvalidTransition(_("A request is already waiting for the requester's answer."))
        consent = RemoteConsent.objects.create(
            ticket=ticket,
            requested_by=actor,
            tool=base.text("tool", tool, model=RemoteConsent, single_line=True),
            purpose=base.text("purpose", purpose, model=RemoteConsent),
            duration_minutes=clean_duration(duration_minutes),
            state=ConsentState.REQUESTED,
            requested_at=now,
        )
        event = _record(ticket, ConsentEntry.REQUESTED, consent, actor=actor, now=now)
        _tell([ticket.requester], ConsentNotice.REQUESTED, ticket, event)
    return consent


def grant_consent(ticket_id: int, consent_id: int, *, actor: User) -> RemoteConsent:
    """The requester allows the session: valid from now for the duration asked."""
    now = timezone.now()
    with transaction.atomic():
        ticket, consent = _answerable(ticket_id, consent_id, actor=actor, now=now)
        consent.state = ConsentState.GRANTED
        consent.answered_by = actor
        consent.answered_at = now
        consent.granted_at = now
        consent.expires_at = now + dt.timedelta(minutes=consent.duration_minutes)
        consent.save(
            update_fields=["state", "answered_by", "answered_at", "granted_at", "expires_at"]
        )
        event = _record(ticket, ConsentEntry.GRANTED, consent, actor=actor, now=now)
        _tell(_engineers_of(ticket, consent), ConsentNotice.GRANTED, ticket, event)
    return consent


def refuse_consent(
    ticket_id: int, consent_id: int, *, actor: User, reason: str = ""
) -> RemoteConsent:
    """The requester says no (a reason is optional); the engineer is told."""
    now = timezone.now()
    with transaction.atomic():
        ticket, consent = _answerable(ticket_id, consent_id, actor=actor, now=now)
        why = base.text(
            "reason", reason, model=RemoteConsent, source="refusal_reason", required=False
        )
        consent.state = ConsentState.REFUSED
        consent.answered_by = actor
        consent.answered_at = now
        consent.refusal_reason = why
        consent.save(update_fields=["state", "answered_by", "answered_at", "refusal_reason"])
        event = _record(ticket, ConsentEntry.REFUSED, consent, actor=actor, now=now, reason=why)
        _tell(_engineers_of(ticket, consent), ConsentNotice.REFUSED, ticket, event)
    return consent


def revoke_consent(ticket_id: int, consent_id: int, *, actor: User) -> RemoteConsent:
    """The requester ends a grant before it expires; remote work after now is refused."""
    now = timezone.now()
    with transaction.atomic():
        ticket, consent = _own_consent(ticket_id, consent_id, actor=actor)
        if consent.status_at(now) != ConsentStatus.GRANTED:
            raise InvalidTransition(_("Only a grant still running can be revoked."))
        consent.state = ConsentState.REVOKED
        consent.revoked_at = now
        consent.save(update_fields=["state", "revoked_at"])
        event = _record(ticket, ConsentEntry.REVOKED, consent, actor=actor, now=now)
        _tell(_engineers_of(ticket, consent), ConsentNotice.REVOKED, ticket, event)
    return consent


# --- the pieces ------------------------------------------------------------------------


def _own_consent(ticket_id: int, consent_id: int, *, actor: User) -> tuple[Ticket, RemoteConsent]:
    """The locked ticket and consent, for the ticket's requester alone: 404 when the actor
    may not see the ticket or the consent is not on it, 403 for anyone but the requester."""
    ticket = base.lock(ticket_id, actor)
    consent = (
        RemoteConsent.objects.select_for_update(no_key=True)
        .filter(ticket=ticket, pk=consent_id)
        .first()
    )
    if consent is None:
        raise TicketNotFound
    if not permissions.is_requester_of(ticket, actor):
        raise ActionForbidden(_("Only the person who reported the problem may decide this."))
    return ticket, consent


def _answerable(
    ticket_id: int, consent_id: int, *, actor: User, now: dt.datetime
) -> tuple[Ticket, RemoteConsent]:
    """A consent still waiting for the requester's answer, on a ticket still being worked."""
    ticket, consent = _own_consent(ticket_id, consent_id, actor=actor)
    if consent.status_at(now) != ConsentStatus.REQUESTED:
        raise InvalidTransition(_("This request has already been answered."))
    if ticket.state not in WORK_STATES:
        raise InvalidTransition(_("The ticket is no longer being worked on."))
    return ticket, consent


def _record(
    ticket: Ticket,
    kind: ConsentEntry,
    consent: RemoteConsent,
    *,
    actor: User,
    now: dt.datetime,
    reason: str = "",
) -> TicketEvent:
    """The timeline entry, with what was asked and (for a grant) until when."""
    data: dict[str, Any] = {
        "consent": consent.pk,
        "tool": consent.tool,
        "purpose": consent.purpose,
        "duration_minutes": consent.duration_minutes,
    }
    if consent.expires_at is not None and kind == ConsentEntry.GRANTED:
        data["expires_at"] = consent.expires_at.isoformat()
    if reason:
        data["reason"] = reason
    return base.record(ticket, kind, actor=actor, now=now, data=data)


def _engineers_of(ticket: Ticket, consent: RemoteConsent) -> list[User | None]:
    """Who hears the answer: the engineer who asked, and the assignee if someone else now."""
    return [consent.requested_by, ticket.assignee]


def _tell(
    recipients: list[User | None], kind: ConsentNotice, ticket: Ticket, event: TicketEvent
) -> None:
    outbox.save_and_dispatch(
        outbox.build(
            recipients=recipients,
            kind=kind,
            cause=f"event:{event.pk}",
            now=event.at,
            link=ticket_link(ticket),
            payload={"number": ticket.number, "title": ticket.title},
        )
    )
