"""Declaring a major incident, linking tickets to it, changing its details.

Declaring (an engineer or a tech lead, from a ticket or from scratch) numbers the incident
(``MI-YYYYMMDD-NN``), puts the commander on the task force (the declaring tech lead unless
another tech lead is named; an engineer declaring must name one and joins as an engineer,
which forms the task force at once), starts the 10-minute task-force deadline and the
30-minute report grid, links the ticket it was declared from (when open) and tells the
desk, management, the stakeholders and that ticket's requester.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Site, User
from incidents import clocks, notify, permissions
from incidents.choices import OPEN_STATUSES, IncidentStatus, MemberRole
from incidents.errors import IncidentsForbidden
from incidents.models import IncidentMember, MajorIncident
from incidents.numbers import next_number
from incidents.services import base, linking
from tickets.choices import OPEN_STATES
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to
from tickets.services.base import text


def declare(
    *,
    actor: User,
    title: str,
    impact: str,
    commander: User | None = None,
    ticket: Ticket | None = None,
    affected_services: str = "",
    sites: Sequence[Site | int] = (),
    stakeholders: Sequence[User] = (),
) -> MajorIncident:
    """Declare a major incident now (see the module's docstring)."""
    now = timezone.now()
    with transaction.atomic():
        if not permissions.can_read(actor):
            raise IncidentsForbidden(_("Major incidents are for the service desk and management."))
        if not permissions.can_declare(actor):
            raise ActionForbidden(_("Engineers and tech leads declare major incidents."))
        cleaned_title = text("title", title, model=MajorIncident, single_line=True)
        cleaned_impact = text("impact", impact, model=MajorIncident)
        services = text("affected_services", affected_services, model=MajorIncident, required=False)
        if commander is None:
            if not permissions.can_command(actor):
                raise ValidationError(
                    {
                        "commander": _(
                            "Name the tech lead who commands it (you declare as an engineer)."
                        )
                    }
                )
            chosen = actor
        else:
            chosen = base.tech_lead("commander", commander)
        source = None
        if ticket is not None:
            source = (
                tickets_visible_to(actor).filter(pk=ticket.pk).only("pk", "number", "state").first()
            )
            if source is None:
                raise ValidationError({"ticket": _("No such ticket (or not yours to see).")})
        where = base.sites("sites", sites)
        told = base.people("stakeholders", stakeholders)

        incident = MajorIncident.objects.create(
            number=next_number(now),
            title=cleaned_title,
            impact=cleaned_impact,
            affected_services=services,
            status=IncidentStatus.INVESTIGATING,
            commander=chosen,
            declared_by=actor,
            source_ticket=source,
            declared_at=now,
            task_force_due_at=now + clocks.TASK_FORCE_WITHIN,
        )
        incident.sites.set(where)
        incident.stakeholders.set(told)
        crew = [(chosen, MemberRole.COMMANDER)]
        if chosen.pk != actor.pk and not permissions.can_command(actor):
            crew.append((actor, MemberRole.ENGINEER))  # an engineer declaring joins the crew
        IncidentMember.objects.bulk_create(
            IncidentMember(incident=incident, user=person, role=role, joined_at=now)
            for person, role in crew
        )
        base.form_task_force(incident, now)
        base.move_clocks(incident, now)
        incident.save(update_fields=["task_force_formed_at", "next_check_at"])
        notify.declared(incident, actor=actor, now=now)
        if source is not None and source.state in OPEN_STATES:
            linking.link(incident, actor=actor, numbers=[source.number], now=now)
    return incident


def link_tickets(incident_id: int, *, actor: User, numbers: Sequence[str]) -> list[str]:
    """Link up to 1,000 open tickets the actor may see, in one action; the numbers newly
    linked (tickets already linked are skipped). Each requester is told once per incident."""
    now = timezone.now()
    with transaction.atomic():
        incident = base.lock(incident_id, actor)
        if not permissions.can_link(actor):
            raise ActionForbidden(_("Engineers and tech leads link tickets to an incident."))
        if incident.status not in OPEN_STATUSES:
            raise InvalidTransition(_("The incident is over: tickets are no longer linked to it."))
        cleaned = linking.clean_numbers(numbers)
        return linking.link(incident, actor=actor, numbers=cleaned, now=now)


# What PATCH may change; the rest moves through members, status and restoration.
EDITABLE = ("title", "impact", "affected_services", "sites", "stakeholders")


def update_incident(incident_id: int, *, actor: User, changes: dict[str, Any]) -> MajorIncident:
    """Change the title, impact, affected services, sites or stakeholders (the commander or a
    tech lead; until the incident is reviewed). Keys not named in ``EDITABLE`` are ignored."""
    with transaction.atomic():
        incident = base.lock(incident_id, actor)
        if not permissions.can_steer(incident, actor):
            raise ActionForbidden(_("The commander or a tech lead changes the incident's details."))
        if incident.status == IncidentStatus.REVIEWED:
            raise InvalidTransition(_("The incident was reviewed: its record is final."))
        fields = []
        if "title" in changes:
            incident.title = text("title", changes["title"], model=MajorIncident, single_line=True)
            fields.append("title")
        if "impact" in changes:
            incident.impact = text("impact", changes["impact"], model=MajorIncident)
            fields.append("impact")
        if "affected_services" in changes:
            incident.affected_services = text(
                "affected_services",
                changes["affected_services"],
                model=MajorIncident,
                required=False,
            )
            fields.append("affected_services")
        where = base.sites("sites", changes["sites"]) if "sites" in changes else None
        told = (
            base.people("stakeholders", changes["stakeholders"])
            if "stakeholders" in changes
            else None
        )
        if fields:
            incident.save(update_fields=fields)
        if where is not None:
            incident.sites.set(where)
        if told is not None:
            incident.stakeholders.set(told)
    return incident
