"""The task force: adding an engineer, handing command to another tech lead.

The commander or any tech lead adds anyone who works incidents; an engineer may join as an
engineer themselves ("I'm on it", one click on the live page). Naming a new commander
(a tech lead) keeps the previous one on the task force as an engineer. The task force is
formed — ``task_force_formed_at``, which stops the 10-minute deadline — the moment a
commander and at least one engineer are on it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from incidents import notify, permissions
from incidents.choices import OPEN_STATUSES, MemberRole
from incidents.models import IncidentMember
from incidents.services import base
from tickets.errors import ActionForbidden, InvalidTransition
from tickets.services.base import choice


def add_member(incident_id: int, *, actor: User, user: User, role: str) -> IncidentMember:
    """Put ``user`` on the task force as ``role`` (``commander`` or ``engineer``)."""
    now = timezone.now()
    with transaction.atomic():
        incident = base.lock(incident_id, actor)
        joining = isinstance(user, User) and user.pk == actor.pk and role == MemberRole.ENGINEER
        if not (
            permissions.can_steer(incident, actor) or (joining and permissions.can_work(actor))
        ):
            raise ActionForbidden(
                _("The commander or a tech lead adds people; an engineer may join as an engineer.")
            )
        if incident.status not in OPEN_STATUSES:
            raise InvalidTransition(_("The incident is over: its task force is final."))
        chosen_role = choice("role", role, MemberRole)
        if chosen_role == MemberRole.COMMANDER:
            person = base.tech_lead("user", user)
        else:
            person = base.desk_member("user", user)
        existing = IncidentMember.objects.filter(incident=incident, user=person).first()
        if existing is not None and existing.role == chosen_role:
            raise ValidationError(
                {"user": _("%(name)s is on the task force already.") % {"name": person.name}}
            )
        if chosen_role == MemberRole.COMMANDER:
            IncidentMember.objects.filter(
                incident=incident, user_id=incident.commander_id, role=MemberRole.COMMANDER
            ).update(role=MemberRole.ENGINEER)
            incident.commander = person
        if existing is not None:
            existing.role = chosen_role
            existing.save(update_fields=["role"])
            member = existing
        else:
            member = IncidentMember.objects.create(
                incident=incident, user=person, role=chosen_role, joined_at=now
            )
        base.form_task_force(incident, now)
        base.move_clocks(incident, now)
        incident.save(update_fields=["commander", "task_force_formed_at", "next_check_at"])
        notify.member_added(incident, member, actor=actor, now=now)
    return member
