"""Which device a ticket is about: chosen by the requester on the report form (one of
their own devices), set or changed later by an engineer from the ticket page or the API.

Straight line: atomic → lock the ticket → visible (404) → an engineer (403) → not
closed (409) → the device exists (400 naming ``asset``) → change → save → timeline
entry (public: the requester sees which device the desk works on).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assets.models import Asset
from tickets import permissions, search
from tickets.choices import TicketState
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Ticket
from tickets.services import base


class DeviceEntry(models.TextChoices):
    CHANGED = "asset_changed", gettext_lazy("Device changed")


def find_asset(value: Any) -> Asset | None:
    """The device named by its tag (or id); ``None`` for empty; a field error if unknown."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    found = Asset.objects.filter(tag=text).first()
    if found is None and text.isdigit() and len(text) < 19:
        found = Asset.objects.filter(pk=int(text)).first()
    if found is None:
        raise ValidationError({"asset": _("No device has the tag “%(tag)s”.") % {"tag": text[:40]}})
    return found


def set_ticket_asset(ticket_id: int, *, actor: User, asset: Any) -> Ticket:
    """Point the ticket at a device by tag (empty: at none). Unchanged: nothing recorded."""
    now = timezone.now()
    with transaction.atomic():
        ticket = base.lock(ticket_id, actor)
        if not permissions.can_work(ticket, actor):
            raise ActionForbidden(_("Only engineers change the ticket's device."))
        if ticket.state == TicketState.CLOSED:
            raise InvalidTransition(_("The ticket is closed."))
        chosen = find_asset(asset)
        before = (
            Asset.objects.filter(pk=ticket.asset_id).values_list("tag", flat=True).first()
            if ticket.asset_id
            else None
        )
        if (chosen.pk if chosen else None) == ticket.asset_id:
            return ticket
        ticket.asset = chosen
        ticket.last_activity_at = now
        ticket.save(update_fields=["asset", "last_activity_at"])
        search.refresh_ticket(ticket.pk)
        base.record(
            ticket,
            DeviceEntry.CHANGED,
            actor=actor,
            now=now,
            data={"from": before or "", "to": chosen.tag if chosen else ""},
        )
    return ticket
