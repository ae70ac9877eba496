"""What the incidents services share: the row lock, the members, the clocks' column.

Each service is a straight line — atomic → lock → visible (404, or 403 for a requester)
→ permitted (403) → allowed now (409) → validate (400, the field named) → change → save →
record → notify — calling these pieces. The incident row is locked first, then anything
else (tickets are never locked: linking a ticket writes only link rows and its timeline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Site, User
from incidents import clocks, permissions
from incidents.choices import MemberRole
from incidents.errors import IncidentNotFound, IncidentsForbidden
from incidents.models import IncidentMember, MajorIncident


def lock(incident_id: int, actor: User) -> MajorIncident:
    """The incident row, locked for this transaction (a second writer waits here, then sees
    what the first one did); 403 for someone who may not read incidents, 404 if it is gone."""
    if not permissions.can_read(actor):
        raise IncidentsForbidden(_("Major incidents are for the service desk and management."))
    incident = (
        MajorIncident.objects.select_for_update(no_key=True, of=("self",))
        .select_related("commander")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise IncidentNotFound
    return incident


def is_member(incident: MajorIncident, user: User) -> bool:
    return IncidentMember.objects.filter(incident=incident, user=user).exists()


def form_task_force(incident: MajorIncident, now: dt.datetime) -> bool:
    """Set ``task_force_formed_at`` once a commander and at least one engineer are on it.
    True when this call formed it."""
    if incident.task_force_formed_at is not None:
        return False
    roles = set(IncidentMember.objects.filter(incident=incident).values_list("role", flat=True))
    if MemberRole.COMMANDER in roles and MemberRole.ENGINEER in roles:
        incident.task_force_formed_at = now
        return True
    return False


def move_clocks(incident: MajorIncident, now: dt.datetime) -> None:
    """The next moment the sweep looks at this incident (after a change of status or crew)."""
    incident.next_check_at = clocks.next_check(incident, now)


def tech_lead(field: str, user: Any) -> User:
    """A tech lead who may command (the commander is always one), else a 400 on ``field``."""
    if not isinstance(user, User) or not user.is_active or not permissions.can_command(user):
        raise ValidationError({field: _("Choose a tech lead: the commander is a tech lead.")})
    return user


def desk_member(field: str, user: Any) -> User:
    """Someone who works incidents (an engineer or tech lead), else a 400 on ``field``."""
    if not isinstance(user, User) or not user.is_active or not permissions.can_work(user):
        raise ValidationError({field: _("Choose an engineer or a tech lead of the desk.")})
    return user


def people(field: str, values: Sequence[Any]) -> list[User]:
    """Active people (stakeholders: anyone, managers or not), else a 400 on ``field``."""
    found = []
    for value in values:
        if not isinstance(value, User) or not value.is_active:
            raise ValidationError({field: _("Choose active people.")})
        if value not in found:
            found.append(value)
    return found


def sites(field: str, values: Sequence[Any]) -> list[Site]:
    """Sites by instance or id, else a 400 on ``field``."""
    ids: list[int] = []
    for value in values:
        if isinstance(value, Site):
            ids.append(value.pk)
            continue
        try:
            ids.append(int(str(value)))
        except (TypeError, ValueError):
            raise ValidationError({field: _("Choose sites from the list.")}) from None
    found = list(Site.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({field: _("Choose sites from the list.")})
    return found
