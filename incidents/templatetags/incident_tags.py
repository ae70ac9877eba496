"""How an incident's status reads on a page: a coloured badge that also carries its text."""

from __future__ import annotations

from django import template

from incidents.choices import IncidentStatus

register = template.Library()

_CSS: dict[str, str] = {
    IncidentStatus.INVESTIGATING: "bg-red text-white",
    IncidentStatus.IDENTIFIED: "bg-orange text-white",
    IncidentStatus.RESTORED: "bg-green text-white",
    IncidentStatus.RESOLVED: "bg-blue-lt",
    IncidentStatus.REVIEWED: "bg-secondary-lt",
}


@register.filter
def incident_status_class(status: str) -> str:
    return _CSS.get(status, "bg-secondary-lt")


@register.filter
def incident_status_label(status: str) -> str:
    """The status's label in the active language (e-mails carry the value in the payload)."""
    try:
        return str(IncidentStatus(status).label)
    except ValueError:
        return status
