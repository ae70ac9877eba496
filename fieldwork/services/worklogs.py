"""The work log (R4.1): timestamped entries of what was done, how long it took and how.

A public entry is progress the requester reads on their ticket page as it happens
("resetting the network adapter, about 30 s"); an internal one stays with the desk. A
remote operation needs the requester's consent valid at the moment it was performed
(``RemoteConsent.covers``); the entry keeps the grant that covered it.

``log_work`` is a straight line: atomic → lock the ticket row → visible (404) → an
engineer (403) → a ticket being worked (409) → validate (400, the field named) → save →
timeline entry → for a public entry: activity, ``hooks.public_update`` (the vendor cadence
counts it as an update) and an in-app note to the requester.
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
from fieldwork.choices import ConsentState, WorkMode
from fieldwork.models import RemoteConsent, WorkLog
from notifications import outbox
from notifications.choices import NotificationChannel
from tickets import hooks, permissions, search
from tickets.choices import WORK_STATES, TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Ticket, TicketEvent
from tickets.notify import ticket_link
from tickets.services import base

# One entry is at most a day's work; longer work is several entries.
MINUTES_MIN = 1
MINUTES_MAX = 1440
# A caller's clock running a little ahead is not "the future".
FUTURE_SLACK = dt.timedelta(minutes=2)
# Work is logged while the ticket is worked on, and after the fix while it awaits checking.
LOGGING_STATES = frozenset({*WORK_STATES, TicketState.RESOLVED})


class WorkLogEntry(models.TextChoices):
    """The timeline entry of a work-log row (internal when the row is)."""

    LOGGED = "work_logged", gettext_lazy("Work logged")


class WorkLogNotice(models.TextChoices):
    PROGRESS = "work_progress", gettext_lazy("Progress on your ticket")


def clean_minutes(value: Any) -> int:
    message = _("Give a whole number of minutes between %(min)d and %(max)d.") % {
        "min": MINUTES_MIN,
        "max": MINUTES_MAX,
    }
    if isinstance(value, bool):
        raise ValidationError({"minutes": message})
    try:
        found = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"minutes": message}) from None
    if not MINUTES_MIN <= found <= MINUTES_MAX:
        raise ValidationError({"minutes": message})
    return found


def clean_performed_at(
    value: dt.datetime | None, *, ticket: Ticket, now: dt.datetime
) -> dt.datetime:
    """When the work was done: now unless given; never in the future, never before the
    ticket was filed."""
    if value is None:
        return now
    if not isinstance(value, dt.datetime):
        raise ValidationError({"performed_at": _("Give a date and time.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + FUTURE_SLACK:
        raise ValidationError({"performed_at": _("Work cannot be logged in the future.")})
    if value < ticket.submitted_at:
        raise ValidationError(
            {"performed_at": _("This is before the ticket was filed: give a later time.")}
        )
    return value


def covering_consent(ticket: Ticket, moment: dt.datetime) -> RemoteConsent | None:
    """The requester's grant valid at ``moment`` (the latest granted, if several were)."""
    granted = RemoteConsent.objects.filter(
        ticket=ticket,
        granted_at__isnull=False,
        granted_at__lte=moment,
        expires_at__gt=moment,
    ).order_by("-granted_at", "-pk")
    return next((c for c in granted if c.covers(moment)), None)


def log_work(
    ticket_id: int,
    *,
    actor: User,
    body: str,
    minutes: Any,
    mode: str,
    is_public: bool = False,
    performed_at: dt.datetime | None = None,
    parts_used: str = "",
) -> WorkLog:
    """One entry of the work log. Engineers and tech leads log work on a ticket that is
    accepted, diagnosed or resolved; a ``remote`` entry needs a consent valid at
    ``performed_at`` and is refused (400 naming ``mode``) without one."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.can_work(ticket, actor):
            raise ActionForbidden(_("Only engineers log work on a ticket."))
        if ticket.state not in LOGGING_STATES:
            raise InvalidTransition(_("Work is logged from acceptance until the fix is verified."))
        entry = WorkLog(
            ticket=ticket,
            author=actor,
            body=base.text("body", body, model=WorkLog),
            minutes=clean_minutes(minutes),
            mode=base.choice("mode", mode, WorkMode),
            is_public=bool(is_public),
            performed_at=clean_performed_at(performed_at, ticket=ticket, now=now),
            parts_used=base.text("parts_used", parts_used, model=WorkLog, required=False),
            created_at=now,
        )
        if entry.mode == WorkMode.REMOTE:
            entry.consent = covering_consent(ticket, entry.performed_at)
            if entry.consent is None:
                raise ValidationError({"mode": _remote_refusal(ticket, entry.performed_at)})
        entry.save()
        event = base.record(
            ticket,
            WorkLogEntry.LOGGED,
            actor=actor,
            now=now,
            data=_event_data(entry),
            is_internal=not entry.is_public,
        )
        search.add_words(ticket.pk, entry.body, entry.parts_used, internal=not entry.is_public)
        if entry.is_public:
            ticket.last_activity_at = now
            ticket.save(update_fields=["last_activity_at"])
            hooks.public_update.send(sender=Ticket, ticket=ticket, actor=actor, at=now)
            _tell_requester(ticket, event)
    return entry


def _remote_refusal(ticket: Ticket, moment: dt.datetime) -> str:
    """Why a remote entry is refused, in words that say what to do next."""
    latest = (
        RemoteConsent.objects.filter(ticket=ticket)
        .exclude(state=ConsentState.REQUESTED)
        .filter(granted_at__isnull=False)
        .order_by("-granted_at")
        .first()
    )
    if latest is None:
        return _(
            "Remote work needs the requester's consent, and none was granted for that time: "
            "ask for remote access first, or choose another mode."
        )
    if latest.revoked_at is not None and latest.revoked_at <= moment:
        return _(
            "The requester revoked remote access before that time: remote work is not "
            "allowed. Ask again, or choose another mode."
        )
    return _(
        "No consent of the requester's covers that time (a grant has expired or had not "
        "started): ask for remote access again, or choose another mode."
    )


def _event_data(entry: WorkLog) -> dict[str, Any]:
    """What the timeline shows without another query: the entry's text and numbers."""
    data: dict[str, Any] = {
        "worklog": entry.pk,
        "body": entry.body,
        "minutes": entry.minutes,
        "mode": entry.mode,
        "performed_at": entry.performed_at.isoformat(),
    }
    if entry.parts_used:
        data["parts_used"] = entry.parts_used
    if entry.consent_id:
        data["consent"] = entry.consent_id
    return data


def _tell_requester(ticket: Ticket, event: TicketEvent) -> None:
    """The requester's bell (in the app only: progress notes come often, e-mail would be
    noise; the page shows them live)."""
    rows = outbox.build(
        recipients=[ticket.requester],
        kind=WorkLogNotice.PROGRESS,
        cause=f"event:{event.pk}",
        now=event.at,
        link=ticket_link(ticket),
        payload={"number": ticket.number, "title": ticket.title},
    )
    outbox.save_and_dispatch([r for r in rows if r.channel == NotificationChannel.IN_APP])
