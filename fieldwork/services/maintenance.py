"""A resolved ticket leaves a line in its device's maintenance history.

Receives ``tickets.hooks.resolved`` (sent inside the resolution's transaction, with the
ticket row locked): when the ticket points at a device and, since its last resolution,
a visit was completed or work-log entries or visits recorded parts replaced, one
``MaintenanceRecord`` is written — the date of the resolution in the desk's zone, the
fix as the work done (with what each visit did), the parts — and a timeline entry says
so. Once per resolution: a fix rejected and resolved again counts only what came after
the previous record, so no part is listed twice. Nothing is written for a ticket
without a device, or with neither a completed visit nor parts (a password reset is not
maintenance of the laptop).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from assets import services as asset_services
from assets.models import Asset, MaintenanceRecord
from fieldwork.choices import VisitState
from fieldwork.models import SiteVisit, WorkLog
from tickets.models import Ticket
from tickets.services import base


class MaintenanceEntry(models.TextChoices):
    RECORDED = "maintenance_recorded", gettext_lazy("Maintenance recorded on the device")


def _since(ticket: Ticket) -> dt.datetime | None:
    """When this ticket last wrote a record (its previous resolution), if ever."""
    found = MaintenanceRecord.objects.filter(ticket_id=ticket.pk).aggregate(at=Max("created_at"))
    at: dt.datetime | None = found["at"]
    return at


def _parts(texts: list[str]) -> str:
    """The parts in the order recorded, each once."""
    seen: list[str] = []
    for text in texts:
        for part in (p.strip() for p in text.replace("；", ";").split(";")):
            if part and part not in seen:
                seen.append(part)
    return "; ".join(seen)


def record_on_resolution(
    ticket: Ticket, *, actor: User | None, at: dt.datetime
) -> MaintenanceRecord | None:
    """The record for this resolution, or ``None`` when there is nothing to record."""
    if ticket.asset_id is None:
        return None
    since = _since(ticket)
    visits = SiteVisit.objects.filter(ticket_id=ticket.pk, state=VisitState.COMPLETED)
    logs = WorkLog.objects.filter(ticket_id=ticket.pk).exclude(parts_used="")
    if since is not None:
        visits = visits.filter(completed_at__gt=since)
        logs = logs.filter(created_at__gt=since)
    done = list(visits.order_by("completed_at", "pk").only("work_done", "parts_used"))
    used = list(logs.order_by("performed_at", "pk").values_list("parts_used", flat=True))
    parts = _parts([v.parts_used for v in done] + used)
    if not done and not parts:
        return None
    work = "\n\n".join([ticket.solution, *(v.work_done for v in done if v.work_done)])
    record = asset_services.record_maintenance(
        ticket.asset_id,
        ticket_id=ticket.pk,
        date=timezone.localdate(at, timezone.get_default_timezone()),
        work_done=work,
        parts=parts,
        now=at,
    )
    base.record(
        ticket,
        MaintenanceEntry.RECORDED,
        actor=actor,
        now=at,
        data={
            "asset": ticket.asset_id,
            "tag": Asset.objects.filter(pk=ticket.asset_id).values_list("tag", flat=True).first(),
            "record": record.pk,
            "parts": record.parts,
        },
    )
    return record


def on_resolved(
    sender: Any, *, ticket: Ticket, actor: User | None, at: dt.datetime, **_: Any
) -> None:
    """Receiver of ``tickets.hooks.resolved``."""
    record_on_resolution(ticket, actor=actor, at=at)
