"""Incidents in the states the review, banner and link tests need, reached through the
incidents services (never by writing fields)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from incidents import services
from incidents.choices import IncidentStatus
from incidents.models import MajorIncident


def declare(
    *, by: User, title: str = "ERP is down for everyone", **overrides: Any
) -> MajorIncident:
    """Declared by ``by`` (a tech lead commands it himself)."""
    fields: dict[str, Any] = {"impact": "Nobody can post invoices or orders.", **overrides}
    return services.declare(actor=by, title=title, **fields)


def resolve(incident: MajorIncident, *, by: User, note: str = "Fixed for good") -> MajorIncident:
    services.post_status(incident.pk, actor=by, status=IncidentStatus.RESOLVED, note=note)
    incident.refresh_from_db()
    return incident


def resolved(*, by: User, **overrides: Any) -> MajorIncident:
    return resolve(declare(by=by, **overrides), by=by)
