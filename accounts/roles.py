"""Roles are Django groups with a fixed set of permissions.

The mapping below is the single place that says what each role may do; checks
elsewhere ask for permissions (``user.has_perm``), never for group names, so an
admin can build a custom role in the admin from the same permissions.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    ENGINEER = "engineer", _("Engineer")
    TECH_LEAD = "tech_lead", _("Tech lead")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


_ENGINEER = [
    "tickets.add_ticket",
    "tickets.work_ticket",
    "tickets.view_all_tickets",
    "tickets.view_internal",
    "tickets.log_call",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.REQUESTER: ["tickets.add_ticket"],
    Role.ENGINEER: _ENGINEER,
    Role.TECH_LEAD: [*_ENGINEER, "tickets.assign_ticket", "tickets.lead_ticket"],
    Role.MANAGER: ["tickets.view_all_tickets", "tickets.view_internal", "tickets.view_reports"],
    Role.ADMIN: [
        *_ENGINEER,
        "tickets.assign_ticket",
        "tickets.lead_ticket",
        "tickets.view_reports",
    ],
}


def ensure_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create the role groups and (re)attach their permissions. Idempotent; runs after migrate."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name: dict[str, Permission] = {}
    for perm in Permission.objects.select_related("content_type").filter(
        content_type__app_label__in={p.split(".")[0] for p in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    if not wanted <= by_name.keys():
        return  # the tickets app has not been migrated yet; a later post_migrate retries
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms])


def assign_role(user: Any, role: str) -> None:
    from django.contrib.auth.models import Group

    ensure_role_groups()
    user.groups.add(Group.objects.get(name=role))
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
