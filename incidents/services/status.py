"""Status notes, restoring service, resolving, and the review's mark.

The status only moves forward: investigating → identified → restored → resolved →
reviewed (identified and restored may be skipped; reviewed is set by the post-incident
review through ``mark_reviewed``). A note with the current status is an update, not an
error. Restoring service ("switched to the standby server") is a status note whose text
is the restoration: ``record_restoration``, or ``post_status`` with ``restored`` (the note
becomes the restoration). Either way the reports stop, the time is kept (time to restore)
and the requesters of linked tickets are told, once each. Resolving an incident that was
never marked restored restores it at the same moment.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from incidents import notify, permissions
from incidents.choices import REPORTING_STATUSES, IncidentStatus
from incidents.models import MajorIncident, StatusNote
from incidents.services import base, linking
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.services.base import choice, text

ORDER = {
    IncidentStatus.INVESTIGATING: 0,
    IncidentStatus.IDENTIFIED: 1,
    IncidentStatus.RESTORED: 2,
    IncidentStatus.RESOLVED: 3,
    IncidentStatus.REVIEWED: 4,
}
FINISHED = frozenset({IncidentStatus.RESOLVED, IncidentStatus.REVIEWED})


def _check_writer(incident: MajorIncident, actor: User) -> None:
    if not permissions.can_post_status(incident, actor, is_member=base.is_member(incident, actor)):
        raise ActionForbidden(
            _("The commander, a tech lead or an engineer of the task force writes status notes.")
        )


def _tell_restored(incident: MajorIncident, actor: User, now: dt.datetime) -> None:
    tickets_of = linking.linked_numbers(incident)
    requesters = list(
        User.objects.filter(pk__in=tickets_of.keys())
        .only("pk", "is_active", "email")
        .order_by("pk")
    )
    notify.restored(incident, actor=actor, requesters=requesters, tickets_of=tickets_of, now=now)


def _move(
    incident: MajorIncident,
    *,
    actor: User,
    status: str,
    body: str,
    next_steps: str,
    now: dt.datetime,
) -> StatusNote:
    """Write the note, move the status and the clocks, tell people (incident locked)."""
    was = incident.status
    restoring = status in (IncidentStatus.RESTORED, IncidentStatus.RESOLVED) and (
        incident.restored_at is None
    )
    note = StatusNote.objects.create(
        incident=incident,
        author=actor,
        status=status,
        body=body,
        next_steps=next_steps,
        created_at=now,
    )
    incident.status = status
    incident.last_note_at = now
    if restoring:
        incident.restored_at = now
        if status == IncidentStatus.RESTORED:
            incident.restoration = body
    if status == IncidentStatus.RESOLVED and was != IncidentStatus.RESOLVED:
        incident.resolved_at = now
    base.move_clocks(incident, now)
    incident.save(
        update_fields=[
            "status",
            "last_note_at",
            "restored_at",
            "restoration",
            "resolved_at",
            "next_check_at",
        ]
    )
    if restoring:
        _tell_restored(incident, actor, now)
    if status == IncidentStatus.RESOLVED and was != IncidentStatus.RESOLVED:
        notify.resolved(incident, actor=actor, now=now)
    return note


def post_status(
    incident_id: int, *, actor: User, status: str, note: str, next_steps: str = ""
) -> StatusNote:
    """A status note: what was done (``note``), what comes next (``next_steps``), and the
    status now — the current one (an update) or a later one."""
    now = timezone.now()
    with transaction.atomic():
        incident = base.lock(incident_id, actor)
        _check_writer(incident, actor)
        if incident.status in FINISHED:
            raise InvalidTransition(
                _("The incident is resolved: the post-incident review follows.")
            )
        chosen = choice("status", status, IncidentStatus)
        if chosen == IncidentStatus.REVIEWED:
            raise ValidationError({"status": _("“Reviewed” is set by the post-incident review.")})
        if ORDER[IncidentStatus(chosen)] < ORDER[IncidentStatus(incident.status)]:
            raise InvalidTransition(
                _("The status only moves forward (it is “%(status)s” now).")
                % {"status": IncidentStatus(incident.status).label}
            )
        body = text("note", note, model=StatusNote, source="body")
        steps = text("next_steps", next_steps, model=StatusNote, required=False)
        return _move(incident, actor=actor, status=chosen, body=body, next_steps=steps, now=now)


def record_restoration(incident_id: int, *, actor: User, restoration: str) -> MajorIncident:
    """Service is back (a workaround or the fix: "switched to the standby server"): the
    status becomes restored, the reports stop, the requesters hear of it."""
    now = timezone.now()
    with transaction.atomic():
        incident = base.lock(incident_id, actor)
        _check_writer(incident, actor)
        if incident.status not in REPORTING_STATUSES:
            raise InvalidTransition(_("Service was restored already."))
        body = text("restoration", restoration, model=MajorIncident)
        _move(
            incident,
            actor=actor,
            status=IncidentStatus.RESTORED,
            body=body,
            next_steps="",
            now=now,
        )
    return incident


def mark_reviewed(incident_id: int, actor: User) -> MajorIncident:
    """The post-incident review is written: resolved → reviewed (the commander or a tech
    lead). Called by the review's service, inside or outside its transaction."""
    now = timezone.now()
    with transaction.atomic():
        incident = base.lock(incident_id, actor)
        if not permissions.can_steer(incident, actor):
            raise ActionForbidden(_("The commander or a tech lead completes the review."))
        if incident.status != IncidentStatus.RESOLVED:
            raise InvalidTransition(_("An incident is reviewed once it is resolved."))
        incident.status = IncidentStatus.REVIEWED
        incident.reviewed_at = now
        incident.next_check_at = None
        incident.save(update_fields=["status", "reviewed_at", "next_check_at"])
    return incident
